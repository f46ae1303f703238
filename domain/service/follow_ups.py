"""Follow-up visits (回访): scheduled when a COMPLAINT, or a ticket of a high-value customer, is
resolved; completed with an outcome, and an UNSATISFIED outcome reopens the ticket (the one
backward move a ticket may make, recorded as a REOPENED event)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.callers.caller import Caller
from domain.errors import Conflict, NotFound
from domain.service import events, text
from domain.service.access import locked_ticket
from domain.service.models import FollowUp, Ticket
from domain.service.sla import is_high_value, next_due_at

FOLLOW_UP_AFTER = dt.timedelta(days=3)
OUTCOMES = ("SATISFIED", "UNSATISFIED", "UNREACHABLE")
REOPENING_OUTCOME = "UNSATISFIED"

follow_ups = table_of(FollowUp)
tickets = table_of(Ticket)


def needs_follow_up(category: str, *, value_tier: str | None, tier_code: str | None) -> bool:
    """A resolution that calls for a follow-up visit: a COMPLAINT, or a high-value customer."""
    return category == "COMPLAINT" or is_high_value(value_tier=value_tier, tier_code=tier_code)


async def schedule_follow_up(
    conn: AsyncConnection, ticket: Row[Any], value_tier: str | None, tier_code: str | None, actor: str
) -> None:
    """After `ticket` was resolved: a follow-up due 3 days after the resolution, for its owner,
    when the rule calls for one (once per resolution)."""
    if not needs_follow_up(ticket.category, value_tier=value_tier, tier_code=tier_code):
        return
    due_at = ticket.resolved_at + FOLLOW_UP_AFTER
    follow_up_id = (
        await conn.execute(
            insert(follow_ups)
            .values(ticket_id=ticket.id, customer_id=ticket.customer_id, due_at=due_at, assignee=ticket.assignee)
            .returning(follow_ups.c.id)
        )
    ).scalar_one()
    await events.record_events(
        conn,
        [events.event(ticket, events.FOLLOW_UP_SCHEDULED, actor, ticket.resolved_at, followUpId=follow_up_id)],
    )


async def complete_follow_up(
    conn: AsyncConnection,
    follow_up_id: int,
    outcome: str,
    note: str | None,
    caller: Caller,
    *,
    now: dt.datetime | None = None,
) -> Row[Any]:
    """Record the visit's outcome; UNSATISFIED reopens the ticket (status OPEN, `resolved_at`
    cleared). Returns the ticket row. A follow-up is completed once (CONFLICT after)."""
    now = now or utcnow()
    if note is not None:
        note = text.free_text(note, limit=text.MAX_NOTE, field=["note"])
    found = (await conn.execute(select(follow_ups).where(follow_ups.c.id == follow_up_id))).first()
    if found is None:
        raise NotFound("no such follow-up", field=["followUpId"])
    ticket = await locked_ticket(conn, found.ticket_id, caller, field="followUpId")
    done = (
        await conn.execute(
            update(follow_ups)
            .where(follow_ups.c.id == follow_up_id, follow_ups.c.done_at.is_(None))
            .values(done_at=now, done_by=caller.subject, outcome=outcome, note=note)
            .returning(follow_ups.c.id)
        )
    ).first()
    if done is None:
        raise Conflict("this follow-up was completed already", field=["followUpId"])
    recorded = [
        events.event(ticket, events.FOLLOW_UP_DONE, caller.subject, now, followUpId=follow_up_id, outcome=outcome)
    ]
    if outcome == REOPENING_OUTCOME and ticket.status in ("RESOLVED", "CLOSED"):
        recorded.append(
            events.event(
                ticket,
                events.REOPENED,
                caller.subject,
                now,
                followUpId=follow_up_id,
                resolvedAt=str(ticket.resolved_at),
            )
        )
        ticket = (
            await conn.execute(
                update(tickets)
                .where(tickets.c.id == ticket.id)
                .values(
                    status="OPEN",
                    resolved_at=None,
                    closed_at=None,
                    reopen_count=tickets.c.reopen_count + 1,
                    next_due_at=next_due_at(
                        "OPEN", ticket.first_response_at, ticket.first_response_due_at, ticket.resolution_due_at
                    ),
                )
                .returning(*tickets.c)
            )
        ).one()
    await events.record_events(conn, recorded)
    return ticket
