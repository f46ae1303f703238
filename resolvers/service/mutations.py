"""Ticket mutations."""

from __future__ import annotations

import datetime as dt

import strawberry

from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.common.pending import not_implemented
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
        not_implemented("openTicket")

    @perm.guarded_mutation(perm.TICKETS, "respond to tickets")
    async def respond_to_ticket(
        self, info: Info, ticket_id: strawberry.ID, at: dt.datetime | None = None
    ) -> TicketPayload:
        not_implemented("respondToTicket")

    @perm.guarded_mutation(perm.TICKETS, "resolve tickets")
    async def resolve_ticket(
        self, info: Info, ticket_id: strawberry.ID, at: dt.datetime | None = None
    ) -> TicketPayload:
        not_implemented("resolveTicket")
