"""Ticket and the ticket connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.base import utcnow
from domain.privacy.masking import PiiClass
from domain.service import queries
from domain.service.messages import visible_directions
from domain.service.sla import is_breached
from resolvers.common.connections import Count, PageRequest, decode_time_cursor, page_of, time_cursor
from resolvers.common.enums import (
    Channel,
    FollowUpOutcome,
    MessageDirection,
    TicketCategory,
    TicketPriority,
    TicketStatus,
)
from resolvers.common.ids import encode_id
from resolvers.common.node import Node, PageInfo
from resolvers.common.pagination import check_first
from resolvers.common.personal import personal
from resolvers.context import Context
from resolvers.service.dataloaders import (
    FollowUpsByTicketLoader,
    MessagesByTicketLoader,
    TicketCountsByCustomerLoader,
    TicketsByCustomerLoader,
)

if TYPE_CHECKING:
    from resolvers.customers.types import Customer

Info = strawberry.Info[Context, None]


@strawberry.type(description="One message of a ticket's conversation, on any channel.")
class TicketMessage:
    row: strawberry.Private[Any]
    at: dt.datetime = strawberry.field(default=None)
    author: str = strawberry.field(
        default=None, description="The staff subject who wrote it; `customer` for an INBOUND message."
    )
    direction: MessageDirection = strawberry.field(default=None)
    channel: Channel = strawberry.field(default=None)

    def __post_init__(self) -> None:
        r = self.row
        self.at = r.at
        self.author = r.author
        self.direction = MessageDirection(r.direction)
        self.channel = Channel(r.channel)

    @property
    def customer_id(self) -> int:
        return int(self.row.customer_id)

    @strawberry.field(
        description="Personal data (MESSAGE_BODY): free text, masked (`****`) where contact data is masked.",
        extensions=[personal(PiiClass.MESSAGE_BODY)],
    )
    def body(self) -> str:
        return str(self.row.body)


@strawberry.type(description="A follow-up visit (回访) after a resolution.")
class FollowUp:
    row: strawberry.Private[Any]
    id: strawberry.ID = strawberry.field(default=None)
    due_at: dt.datetime = strawberry.field(default=None, description="3 days after the resolution.")
    done_at: dt.datetime | None = None
    outcome: FollowUpOutcome | None = None
    assignee: str | None = strawberry.field(default=None, description="The ticket's owner when it was scheduled.")

    def __post_init__(self) -> None:
        r = self.row
        self.id = strawberry.ID(encode_id("FollowUp", r.id))
        self.due_at = r.due_at
        self.done_at = r.done_at
        self.outcome = None if r.outcome is None else FollowUpOutcome(r.outcome)
        self.assignee = r.assignee


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
    assignee: str | None = strawberry.field(
        default=None, description="The staff subject who owns the ticket (first-contact ownership)."
    )
    team: str | None = None
    escalation_level: int = strawberry.field(
        default=None, description="0 at open; +1 each time a due time is breached (the priority rises with it)."
    )

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
        self.assignee = r.assignee
        self.team = r.team
        self.escalation_level = r.escalation_level

    @property
    def customer_id(self) -> int:
        return int(self.row.customer_id)

    @strawberry.field(description="A due time passed without the response or resolution, or it came late.")
    def breached(self) -> bool:
        return is_breached(self.row, utcnow())

    @strawberry.field(description="The conversation, oldest first (internal notes for staff only).")
    async def messages(self, info: Info) -> list[TicketMessage]:
        shown = visible_directions(info.context.caller.role)
        rows = await info.context.loader(MessagesByTicketLoader).load(self.row.id)
        return [TicketMessage(row=r) for r in rows if r.direction in shown]

    @strawberry.field(description="Follow-up visits, by due time.")
    async def follow_ups(self, info: Info) -> list[FollowUp]:
        return [FollowUp(row=r) for r in await info.context.loader(FollowUpsByTicketLoader).load(self.row.id)]

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("resolvers.customers.types")]:
        from resolvers.customers.lookup import load_customer

        customer = await load_customer(info.context, self.row.customer_id)
        if customer is None:  # only reachable through a customer the caller sees
            raise LookupError("ticket without a visible customer")
        return customer


@strawberry.type
class TicketEdge:
    node: Ticket
    order: strawberry.Private[str] = "opened_at"  # the column the list is ordered by (with id)

    @strawberry.field
    def cursor(self) -> str:
        row = self.node.row
        return time_cursor(getattr(row, self.order), row.id)


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

    @classmethod
    async def queue(
        cls, ctx: Context, team: str | None, assignee: str | None, first: int | None, after: str | None
    ) -> TicketConnection:
        """`ticketQueue`: open tickets soonest unmet due time first, keyset-paged on (due, id)."""
        limit = check_first(first)
        cursor = decode_time_cursor(after)
        rows = await ctx.rows(queries.ticket_queue(team, assignee, cursor, limit + 1))
        page = rows[:limit]

        def cursor_of(row: Any) -> str:
            return time_cursor(row.next_due_at, row.id)

        async def count(c: Context) -> int:
            return int(await c.scalar(queries.ticket_queue_count(team, assignee)))

        return cls(
            edges=[TicketEdge(node=Ticket(row=r), order="next_due_at") for r in page],
            page_info=PageInfo.of_keyset(rows, limit, after=cursor, cursor_of=cursor_of),
            count=count,
        )
