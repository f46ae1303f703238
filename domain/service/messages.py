"""The conversation on a ticket: messages of any channel, inbound from the customer, outbound to
them, or internal notes among staff. The first OUTBOUND message is the ticket's first response.

A body is free text and may hold anything the customer wrote or was told: it is personal data
(class MESSAGE_BODY, domain/privacy/masking.py) wherever it is shown, and it is never logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.callers.caller import Caller
from domain.errors import Conflict
from domain.privacy.roles import Role
from domain.service import text
from domain.service.access import locked_ticket
from domain.service.follow_ups import follow_ups
from domain.service.models import TicketMessage
from domain.service.tickets import mark_first_response

DIRECTIONS = ("INBOUND", "OUTBOUND", "INTERNAL_NOTE")
CUSTOMER_AUTHOR = "customer"  # the author of an INBOUND message (staff only record it)
STAFF_ROLES = frozenset({Role.ADMIN, Role.SUPPORT_AGENT, Role.MARKETER, Role.ANALYST})

ticket_messages = table_of(TicketMessage)


@dataclass(frozen=True)
class MessageData:
    ticket_id: int
    body: str
    direction: str
    channel: str


def visible_directions(role: Role) -> frozenset[str]:
    """Internal notes are for staff: a PARTNER reading a shared customer's tickets sees only
    what was said to and by the customer."""
    return frozenset(DIRECTIONS) if role in STAFF_ROLES else frozenset({"INBOUND", "OUTBOUND"})


async def add_message(
    conn: AsyncConnection, data: MessageData, caller: Caller, *, now: dt.datetime | None = None
) -> Row[Any]:
    """Append a message at `now`; the first OUTBOUND one sets the first response (OPEN →
    PENDING). A CLOSED ticket takes no more messages. Returns the ticket row."""
    now = now or utcnow()
    body = text.free_text(data.body, limit=text.MAX_BODY, field=["body"])
    ticket = await locked_ticket(conn, data.ticket_id, caller)
    if ticket.status == "CLOSED":
        raise Conflict("a CLOSED ticket takes no more messages", field=["ticketId"])
    await conn.execute(
        insert(ticket_messages).values(
            ticket_id=ticket.id,
            customer_id=ticket.customer_id,
            at=max(now, ticket.opened_at),
            direction=data.direction,
            channel=data.channel,
            author=CUSTOMER_AUTHOR if data.direction == "INBOUND" else caller.subject,
            recorded_by=caller.subject,
            body=body,
        )
    )
    if data.direction == "OUTBOUND":
        ticket = await mark_first_response(conn, ticket, max(now, ticket.opened_at))
    return ticket


async def erase_conversations(conn: AsyncConnection, customer_id: int) -> None:
    """Erasure: the customer's message bodies and follow-up notes become empty (the messages
    stay, with their times, directions and channels, so the desk's figures remain right)."""
    await conn.execute(
        update(ticket_messages)
        .where(ticket_messages.c.customer_id == customer_id, ticket_messages.c.body != "")
        .values(body="")
    )
    await conn.execute(
        update(follow_ups)
        .where(follow_ups.c.customer_id == customer_id, follow_ups.c.note.is_not(None))
        .values(note=None)
    )
