"""Ticket mutations."""

from __future__ import annotations

import datetime as dt

import strawberry

from domain.service.tickets import TicketData, open_ticket, resolve_ticket, respond_to_ticket
from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.common.ids import decode_id
from resolvers.context import Context
from resolvers.service.inputs import TicketInput
from resolvers.service.types import Ticket

Info = strawberry.Info[Context, None]


@strawberry.type
class TicketPayload:
    ticket: Ticket | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ServiceMutations:
    @perm.guarded_mutation(perm.TICKETS, "open tickets")
    async def open_ticket(self, info: Info, input: TicketInput) -> TicketPayload:
        data = TicketData(
            customer_id=decode_id(input.customer_id, "Customer", "customerId"),
            category=input.category.value,
            priority=input.priority.value,
            channel=input.channel.value,
            subject=input.subject,
            opened_at=input.opened_at,
        )
        async with info.context.transaction() as conn:
            row = await open_ticket(conn, data, role=info.context.caller.role)
        return TicketPayload(ticket=Ticket(row=row))

    @perm.guarded_mutation(perm.TICKETS, "respond to tickets")
    async def respond_to_ticket(
        self, info: Info, ticket_id: strawberry.ID, at: dt.datetime | None = None
    ) -> TicketPayload:
        async with info.context.transaction() as conn:
            row = await respond_to_ticket(conn, decode_id(ticket_id, "Ticket", "ticketId"), at=at)
        return TicketPayload(ticket=Ticket(row=row))

    @perm.guarded_mutation(perm.TICKETS, "resolve tickets")
    async def resolve_ticket(
        self, info: Info, ticket_id: strawberry.ID, at: dt.datetime | None = None
    ) -> TicketPayload:
        async with info.context.transaction() as conn:
            row = await resolve_ticket(conn, decode_id(ticket_id, "Ticket", "ticketId"), at=at)
        return TicketPayload(ticket=Ticket(row=row))
