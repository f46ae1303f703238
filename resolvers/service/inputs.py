"""Ticket inputs."""

from __future__ import annotations

import datetime as dt

import strawberry

from resolvers.common.enums import Channel, TicketCategory, TicketPriority


@strawberry.input
class TicketInput:
    customer_id: strawberry.ID
    category: TicketCategory
    channel: Channel
    subject: str
    priority: TicketPriority = TicketPriority.NORMAL
    opened_at: dt.datetime | None = None
    assignee: str | None = strawberry.field(
        default=None, description="The owning staff subject; the opening staff caller when not given."
    )
    team: str | None = None
