"""Feedback (CSAT, NPS, reviews) and the feedback connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from resolvers.common.enums import Channel, FeedbackKind
from resolvers.common.ids import encode_id
from resolvers.common.node import Node, PageInfo
from resolvers.common.pending import not_implemented
from resolvers.context import Context

if TYPE_CHECKING:
    from resolvers.orders.types import Order
    from resolvers.service.types import Ticket

Info = strawberry.Info[Context, None]


@strawberry.type(description="A CSAT (1..10), NPS (0..10) or review (1..5) answer.")
class Feedback(Node):
    row: strawberry.Private[Any]

    @property
    def customer_id(self) -> int:
        return int(self.row.customer_id)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Feedback", self.row.id))

    @strawberry.field
    def kind(self) -> FeedbackKind:
        return FeedbackKind(self.row.kind)

    @strawberry.field
    def score(self) -> int:
        return int(self.row.score)

    @strawberry.field
    def comment(self) -> str | None:
        return self.row.comment  # type: ignore[no-any-return]

    @strawberry.field
    def channel(self) -> Channel:
        return Channel(self.row.channel)

    @strawberry.field
    def submitted_at(self) -> dt.datetime:
        return self.row.submitted_at  # type: ignore[no-any-return]

    @strawberry.field
    async def order(self, info: Info) -> Annotated[Order, strawberry.lazy("resolvers.orders.types")] | None:
        not_implemented("Feedback.order")

    @strawberry.field
    async def ticket(self, info: Info) -> Annotated[Ticket, strawberry.lazy("resolvers.service.types")] | None:
        not_implemented("Feedback.ticket")


@strawberry.type
class FeedbackEdge:
    cursor: str
    node: Feedback


@strawberry.type
class FeedbackConnection:
    edges: list[FeedbackEdge]
    page_info: PageInfo
    total_count: int
