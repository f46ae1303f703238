"""Ticket write services: open (with SLA due times, value-based escalation and an owner), assign,
respond, resolve (scheduling the follow-up visit where one is due).

Each takes a connection inside the caller's transaction and returns the ticket row as written.
`at`/`opened_at` may be given to import history; they may not lie in the future. Tickets are
addressed for the caller (`Caller`): one whose customer the caller may not see is NOT_FOUND,
exactly as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import table_of, utcnow
from domain.callers.caller import Caller
from domain.errors import Conflict, InvalidInput
from domain.loyalty.models import LoyaltyAccount
from domain.scoring.models import CustomerScore
from domain.service import events, text
from domain.service import queries as sql
from domain.service.access import locked_ticket, visible_customer
from domain.service.follow_ups import schedule_follow_up
from domain.service.sla import SlaPolicy, due_times, escalate, may_move, next_due_at

CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far in the future a client's timestamp may be (clocks differ a little)."""

_scores = table_of(CustomerScore)
_accounts = table_of(LoyaltyAccount)
tickets = sql.tickets


@dataclass(frozen=True)
class TicketData:
    customer_id: int
    category: str
    priority: str
    channel: str
    subject: str
    opened_at: dt.datetime | None = None
    assignee: str | None = None  # the opening staff caller when None
    team: str | None = None


@dataclass(frozen=True)
class CustomerValue:
    value_tier: str | None
    tier_code: str | None


def check_time(at: dt.datetime, now: dt.datetime, field: list[str]) -> None:
    limits.moment(at, field)
    if at > now + CLOCK_SKEW:
        raise InvalidInput("a time in the future cannot be recorded", field=field)


async def load_policies(conn: AsyncConnection) -> list[SlaPolicy]:
    return [SlaPolicy(**row._mapping) for row in await conn.execute(sql.policies())]


async def customer_value(conn: AsyncConnection, customer_id: int) -> CustomerValue:
    """The customer's value tier (latest scores) and loyalty tier, as the desk rules read them."""
    value_tier = (await conn.execute(select(_scores.c.value_tier).where(_scores.c.customer_id == customer_id))).scalar()
    tier_code = (
        await conn.execute(select(_accounts.c.tier_code).where(_accounts.c.customer_id == customer_id))
    ).scalar()
    return CustomerValue(value_tier=value_tier, tier_code=tier_code)


def staff_subject(value: str | None, field: list[str]) -> str | None:
    return text.name(value, limit=text.MAX_SUBJECT_NAME, field=field)


def team_name(value: str | None, field: list[str]) -> str | None:
    return text.name(value, limit=text.MAX_TEAM, field=field)


async def open_ticket(
    conn: AsyncConnection, data: TicketData, caller: Caller, *, now: dt.datetime | None = None
) -> Row[Any]:
    """Open a ticket owned by `data.assignee`, or by the staff caller who opens it."""
    now = now or utcnow()
    subject = limits.text(data.subject, ["input", "subject"], max_length=limits.width(tickets.c.subject), required=True)
    opened_at = data.opened_at or now
    check_time(opened_at, now, ["input", "openedAt"])
    assignee = staff_subject(data.assignee, ["input", "assignee"]) or caller.subject
    team = team_name(data.team, ["input", "team"])
    customer_id = await visible_customer(conn, data.customer_id, caller, ["input", "customerId"])
    value = await customer_value(conn, customer_id)
    priority = escalate(data.priority, value_tier=value.value_tier, tier_code=value.tier_code)
    due = due_times(opened_at, priority, data.category, await load_policies(conn))
    return (
        await conn.execute(
            insert(tickets)
            .values(
                customer_id=customer_id,
                category=data.category,
                requested_priority=data.priority,
                priority=priority,
                status="OPEN",
                channel=data.channel,
                subject=subject,
                opened_at=opened_at,
                first_response_due_at=due.first_response_due_at,
                resolution_due_at=due.resolution_due_at,
                next_due_at=due.first_response_due_at,
                assignee=assignee,
                team=team,
                escalation_level=0,
                reopen_count=0,
            )
            .returning(*tickets.c)
        )
    ).one()


def _check_move(row: Row[Any], target: str) -> None:
    if not may_move(row.status, target):
        raise Conflict(f"a {row.status} ticket cannot become {target}", field=["ticketId"])


async def assign_ticket(
    conn: AsyncConnection,
    ticket_id: int,
    caller: Caller,
    changes: dict[str, str | None],
    *,
    now: dt.datetime | None = None,
) -> Row[Any]:
    """Set the owner and/or the team (`changes` holds the ones given; None unassigns)."""
    now = now or utcnow()
    values: dict[str, str | None] = {}
    if "assignee" in changes:
        values["assignee"] = staff_subject(changes["assignee"], ["assignee"])
    if "team" in changes:
        values["team"] = team_name(changes["team"], ["team"])
    row = await locked_ticket(conn, ticket_id, caller)
    if not values:
        return row
    updated = (
        await conn.execute(update(tickets).where(tickets.c.id == row.id).values(**values).returning(*tickets.c))
    ).one()
    if (updated.assignee, updated.team) != (row.assignee, row.team):
        await events.record_events(
            conn,
            [
                events.event(
                    row,
                    events.ASSIGNED,
                    caller.subject,
                    now,
                    **{"from": {"assignee": row.assignee, "team": row.team}},
                    to={"assignee": updated.assignee, "team": updated.team},
                )
            ],
        )
    return updated


async def mark_first_response(conn: AsyncConnection, row: Row[Any], at: dt.datetime) -> Row[Any]:
    """The first response at `at`: sets `first_response_at`, OPEN → PENDING, the queue moves on
    to the resolution's due time. A ticket answered before stays as it is."""
    if row.first_response_at is not None:
        return row
    if at < row.opened_at:
        raise InvalidInput("a response cannot precede the ticket's opening", field=["at"])
    status = "PENDING" if row.status == "OPEN" else row.status
    return (
        await conn.execute(
            update(tickets)
            .where(tickets.c.id == row.id)
            .values(
                first_response_at=at,
                status=status,
                next_due_at=next_due_at(status, at, row.first_response_due_at, row.resolution_due_at),
            )
            .returning(*tickets.c)
        )
    ).one()


async def respond_to_ticket(
    conn: AsyncConnection,
    ticket_id: int,
    caller: Caller,
    *,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Row[Any]:
    """The first response: sets `first_response_at`, OPEN → PENDING."""
    now = now or utcnow()
    row = await locked_ticket(conn, ticket_id, caller)
    _check_move(row, "PENDING")
    at = at or now
    check_time(at, now, ["at"])
    return await mark_first_response(conn, row, at)


async def resolve_ticket(
    conn: AsyncConnection,
    ticket_id: int,
    caller: Caller,
    *,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Row[Any]:
    """Sets `resolved_at`, OPEN or PENDING → RESOLVED. Resolving a ticket nobody answered first
    answers it too: the resolution is the first response (`first_response_at` = `resolved_at`).
    A COMPLAINT, or a ticket of a high-value customer, gets its follow-up visit scheduled."""
    now = now or utcnow()
    row = await locked_ticket(conn, ticket_id, caller)
    _check_move(row, "RESOLVED")
    at = at or now
    check_time(at, now, ["at"])
    if at < (row.first_response_at or row.opened_at):
        raise InvalidInput("a resolution cannot precede the opening or the first response", field=["at"])
    resolved = (
        await conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket_id)
            .values(resolved_at=at, first_response_at=row.first_response_at or at, status="RESOLVED", next_due_at=None)
            .returning(*tickets.c)
        )
    ).one()
    value = await customer_value(conn, resolved.customer_id)
    await schedule_follow_up(conn, resolved, value.value_tier, value.tier_code, caller.subject)
    return resolved
