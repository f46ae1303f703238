"""Feedback (CSAT, NPS, reviews) and the feedback connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from resolvers.common.connections import Count, PageRequest, edge_cursor, page_of
from resolvers.common.enums import Channel, FeedbackKind
from resolvers.common.ids import encode_id
from resolvers.common.node import Node, PageInfo
from resolvers.context import Context
from resolvers.feedback.dataloaders import FeedbackByCustomerLoader, FeedbackCountsByCustomerLoader

if TYPE_CHECKING:
    from resolvers.orders.types import Order
    from resolvers.service.types import Ticket

Info = strawberry.Info[Context, None]


@strawberry.type(description="A CSAT (1..10), NPS (0..10) or review (1..5) answer.")
class Feedback(Node):
    """Built from a feedback row: `Feedback(row=r)`; scalar fields are plain attributes (see Order)."""

    row: strawberry.Private[Any]
    id: strawberry.ID = strawberry.field(default=None)
    kind: FeedbackKind = strawberry.field(default=None)
    score: int = strawberry.field(default=None)
    comment: str | None = None
    channel: Channel = strawberry.field(default=None)
    submitted_at: dt.datetime = strawberry.field(default=None)

    def __post_init__(self) -> None:
        r = self.row
        self.id = strawberry.ID(encode_id("Feedback", r.id))
        self.kind = FeedbackKind(r.kind)
        self.score = r.score
        self.comment = r.comment
        self.channel = Channel(r.channel)
        self.submitted_at = r.submitted_at

    @property
    def customer_id(self) -> int:
        return int(self.row.customer_id)

    @strawberry.field
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("resolvers.orders.types")] | None:
        from resolvers.orders.dataloaders import OrderByIdLoader
        from resolvers.orders.types import Order

        if self.row.order_id is None:
            return None
        row = await info.context.loader(OrderByIdLoader).load(self.row.order_id)
        return None if row is None else Order(row=row)

    @strawberry.field
    async def ticket(self, info: Info) -> Annotated[Ticket, strawberry.lazy("resolvers.service.types")] | None:
        from resolvers.service.dataloaders import TicketByIdLoader
        from resolvers.service.types import Ticket

        if self.row.ticket_id is None:
            return None
        row = await info.context.loader(TicketByIdLoader).load(self.row.ticket_id)
        return None if row is None else Ticket(row=row)


@strawberry.type
class FeedbackEdge:
    cursor: str = strawberry.field(resolver=edge_cursor("submitted_at"))
    node: Feedback


@strawberry.type
class FeedbackConnection:
    edges: list[FeedbackEdge]
    page_info: PageInfo
    count: strawberry.Private[Count]

    @strawberry.field(description="Feedback matching the filter (loaded only when selected).")
    async def total_count(self, info: Info) -> int:
        return await self.count(info.context)

    @classmethod
    async def of_customer(cls, ctx: Context, customer_id: int, request: PageRequest) -> FeedbackConnection:
        rows = await ctx.loader(FeedbackByCustomerLoader).load(request.key(customer_id))
        nodes, page_info = page_of(rows, request, "submitted_at", lambda r: Feedback(row=r))
        return cls(
            edges=[FeedbackEdge(node=n) for n in nodes],
            page_info=page_info,
            count=request.counter(FeedbackCountsByCustomerLoader, customer_id),
        )
