"""Ticket and the ticket connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.base import utcnow
from domain.service.sla import is_breached
from resolvers.common.connections import Count, PageRequest, edge_cursor, page_of
from resolvers.common.enums import Channel, TicketCategory, TicketPriority, TicketStatus
from resolvers.common.ids import encode_id
from resolvers.common.node import Node, PageInfo
from resolvers.context import Context
from resolvers.service.dataloaders import TicketCountsByCustomerLoader, TicketsByCustomerLoader

if TYPE_CHECKING:
    from resolvers.customers.types import Customer

Info = strawberry.Info[Context, None]


@strawberry.type(description="A service ticket with its SLA due times.")
class Ticket(Node):
    """Built from a tickets row: `Ticket(row=r)`; scalar fields are plain attributes (see Order)."""

    row: strawberry.Private[Any]
    id: strawberry.ID = strawberry.field(default=None)
    category: TicketCategory = strawberry.field(default=None)
    priority: TicketPriority = strawberry.field(
        default=None, description="Effective priority after value-based escalation."
    )
    status: TicketStatus = strawberry.field(default=None)
    channel: Channel = strawberry.field(default=None)
    subject: str = strawberry.field(default=None)
    opened_at: dt.datetime = strawberry.field(default=None)
    first_response_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    first_response_due_at: dt.datetime = strawberry.field(default=None)
    resolution_due_at: dt.datetime = strawberry.field(default=None)

    def __post_init__(self) -> None:
        r = self.row
        self.id = strawberry.ID(encode_id("Ticket", r.id))
        self.category = TicketCategory(r.category)
        self.priority = TicketPriority(r.priority)
        self.status = TicketStatus(r.status)
        self.channel = Channel(r.channel)
        self.subject = r.subject
        self.opened_at = r.opened_at
        self.first_response_at = r.first_response_at
        self.resolved_at = r.resolved_at
        self.first_response_due_at = r.first_response_due_at
        self.resolution_due_at = r.resolution_due_at

    @property
    def customer_id(self) -> int:
        return int(self.row.customer_id)

    @strawberry.field(description="A due time passed without the response or resolution, or it came late.")
    def breached(self) -> bool:
        return is_breached(self.row, utcnow())

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("resolvers.customers.types")]:
        from resolvers.customers.lookup import load_customer

        customer = await load_customer(info.context, self.row.customer_id)
        if customer is None:  # only reachable through a customer the caller sees
            raise LookupError("ticket without a visible customer")
        return customer


@strawberry.type
class TicketEdge:
    cursor: str = strawberry.field(resolver=edge_cursor("opened_at"))
    node: Ticket


@strawberry.type
class TicketConnection:
    edges: list[TicketEdge]
    page_info: PageInfo
    count: strawberry.Private[Count]

    @strawberry.field(description="Tickets matching the filter (loaded only when selected).")
    async def total_count(self, info: Info) -> int:
        return await self.count(info.context)

    @classmethod
    async def of_customer(cls, ctx: Context, customer_id: int, request: PageRequest) -> TicketConnection:
        rows = await ctx.loader(TicketsByCustomerLoader).load(request.key(customer_id))
        nodes, page_info = page_of(rows, request, "opened_at", lambda r: Ticket(row=r))
        return cls(
            edges=[TicketEdge(node=n) for n in nodes],
            page_info=page_info,
            count=request.counter(TicketCountsByCustomerLoader, customer_id),
        )
