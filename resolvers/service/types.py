"""Ticket and the ticket connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.base import utcnow
from domain.service.sla import is_breached
from resolvers.common.connections import Count, PageRequest, page_of
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
    row: strawberry.Private[Any]

    @property
    def customer_id(self) -> int:
        return int(self.row.customer_id)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Ticket", self.row.id))

    @strawberry.field
    def category(self) -> TicketCategory:
        return TicketCategory(self.row.category)

    @strawberry.field(description="Effective priority after value-based escalation.")
    def priority(self) -> TicketPriority:
        return TicketPriority(self.row.priority)

    @strawberry.field
    def status(self) -> TicketStatus:
        return TicketStatus(self.row.status)

    @strawberry.field
    def channel(self) -> Channel:
        return Channel(self.row.channel)

    @strawberry.field
    def subject(self) -> str:
        return str(self.row.subject)

    @strawberry.field
    def opened_at(self) -> dt.datetime:
        return self.row.opened_at  # type: ignore[no-any-return]

    @strawberry.field
    def first_response_at(self) -> dt.datetime | None:
        return self.row.first_response_at  # type: ignore[no-any-return]

    @strawberry.field
    def resolved_at(self) -> dt.datetime | None:
        return self.row.resolved_at  # type: ignore[no-any-return]

    @strawberry.field
    def first_response_due_at(self) -> dt.datetime:
        return self.row.first_response_due_at  # type: ignore[no-any-return]

    @strawberry.field
    def resolution_due_at(self) -> dt.datetime:
        return self.row.resolution_due_at  # type: ignore[no-any-return]

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
    cursor: str
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
        edges, page_info = page_of(rows, request, "opened_at", lambda r: Ticket(row=r))
        return cls(
            edges=[TicketEdge(cursor=c, node=n) for c, n in edges],
            page_info=page_info,
            count=request.counter(TicketCountsByCustomerLoader, customer_id),
        )
