"""Ticket and the ticket connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.base import utcnow
from domain.service.sla import is_breached
from resolvers.common.enums import Channel, TicketCategory, TicketPriority, TicketStatus
from resolvers.common.ids import encode_id
from resolvers.common.node import Node, PageInfo
from resolvers.common.pending import not_implemented
from resolvers.context import Context

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
        not_implemented("Ticket.customer")


@strawberry.type
class TicketEdge:
    cursor: str
    node: Ticket


@strawberry.type
class TicketConnection:
    edges: list[TicketEdge]
    page_info: PageInfo
    total_count: int
