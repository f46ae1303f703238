"""Ticket mutations: open, assign, converse, respond, resolve, complete follow-ups."""

from __future__ import annotations

import datetime as dt

import strawberry

from domain.service.follow_ups import complete_follow_up
from domain.service.messages import MessageData, add_message
from domain.service.tickets import TicketData, assign_ticket, open_ticket, resolve_ticket, respond_to_ticket
from resolvers.common import permissions as perm
from resolvers.common.enums import Channel, FollowUpOutcome, MessageDirection
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


def _ticket_id(ticket_id: strawberry.ID) -> int:
    return decode_id(ticket_id, "Ticket", "ticketId")


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
            assignee=input.assignee,
            team=input.team,
        )
        async with info.context.transaction() as conn:
            row = await open_ticket(conn, data, info.context.caller)
        return TicketPayload(ticket=Ticket(row=row))

    @perm.guarded_mutation(
        perm.TICKETS,
        "assign tickets",
        description="Set the owner and/or team; an argument left out keeps its value, null clears it.",
    )
    async def assign_ticket(
        self,
        info: Info,
        ticket_id: strawberry.ID,
        assignee: str | None = strawberry.UNSET,
        team: str | None = strawberry.UNSET,
    ) -> TicketPayload:
        changes = {k: v for k, v in (("assignee", assignee), ("team", team)) if v is not strawberry.UNSET}
        async with info.context.transaction() as conn:
            row = await assign_ticket(conn, _ticket_id(ticket_id), info.context.caller, changes)
        return TicketPayload(ticket=Ticket(row=row))

    @perm.guarded_mutation(
        perm.TICKETS,
        "add ticket messages",
        description="Append a message; the first OUTBOUND one is the ticket's first response.",
    )
    async def add_ticket_message(
        self, info: Info, ticket_id: strawberry.ID, body: str, direction: MessageDirection, channel: Channel
    ) -> TicketPayload:
        data = MessageData(ticket_id=_ticket_id(ticket_id), body=body, direction=direction.value, channel=channel.value)
        async with info.context.transaction() as conn:
            row = await add_message(conn, data, info.context.caller)
        return TicketPayload(ticket=Ticket(row=row))

    @perm.guarded_mutation(
        perm.TICKETS,
        "complete follow-ups",
        description="Record a follow-up visit's outcome; UNSATISFIED reopens the ticket.",
    )
    async def complete_follow_up(
        self, info: Info, follow_up_id: strawberry.ID, outcome: FollowUpOutcome, note: str | None = None
    ) -> TicketPayload:
        pk = decode_id(follow_up_id, "FollowUp", "followUpId")
        async with info.context.transaction() as conn:
            row = await complete_follow_up(conn, pk, outcome.value, note, info.context.caller)
        return TicketPayload(ticket=Ticket(row=row))

    @perm.guarded_mutation(perm.TICKETS, "respond to tickets")
    async def respond_to_ticket(
        self, info: Info, ticket_id: strawberry.ID, at: dt.datetime | None = None
    ) -> TicketPayload:
        async with info.context.transaction() as conn:
            row = await respond_to_ticket(conn, _ticket_id(ticket_id), info.context.caller, at=at)
        return TicketPayload(ticket=Ticket(row=row))

    @perm.guarded_mutation(perm.TICKETS, "resolve tickets")
    async def resolve_ticket(
        self, info: Info, ticket_id: strawberry.ID, at: dt.datetime | None = None
    ) -> TicketPayload:
        async with info.context.transaction() as conn:
            row = await resolve_ticket(conn, _ticket_id(ticket_id), info.context.caller, at=at)
        return TicketPayload(ticket=Ticket(row=row))
