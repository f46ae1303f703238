"""Ticket write services: open (with SLA due times and value-based escalation), respond, resolve.

Each takes a connection inside the caller's transaction and returns the ticket row as written.
`at`/`opened_at` may be given to import history; they may not lie in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import table_of, utcnow
from domain.errors import Conflict, InvalidInput, NotFound
from domain.loyalty.models import LoyaltyAccount
from domain.privacy.access import customer_for_write
from domain.privacy.roles import Role
from domain.scoring.models import CustomerScore
from domain.service import queries as sql
from domain.service.sla import SlaPolicy, due_times, escalate, may_move

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


def _check_time(at: dt.datetime, now: dt.datetime, field: list[str]) -> None:
    limits.moment(at, field)
    if at > now + CLOCK_SKEW:
        raise InvalidInput("a time in the future cannot be recorded", field=field)


async def load_policies(conn: AsyncConnection) -> list[SlaPolicy]:
    return [SlaPolicy(**row._mapping) for row in await conn.execute(sql.policies())]


async def open_ticket(
    conn: AsyncConnection, data: TicketData, *, role: Role, now: dt.datetime | None = None
) -> Row[Any]:
    """Open a ticket as a caller of `role`: NOT_FOUND for a customer it cannot see."""
    now = now or utcnow()
    subject = limits.text(data.subject, ["input", "subject"], max_length=limits.width(tickets.c.subject), required=True)
    opened_at = data.opened_at or now
    _check_time(opened_at, now, ["input", "openedAt"])
    customer_id = (await customer_for_write(conn, data.customer_id, role, field=["input", "customerId"])).id
    value_tier = (await conn.execute(select(_scores.c.value_tier).where(_scores.c.customer_id == customer_id))).scalar()
    tier_code = (
        await conn.execute(select(_accounts.c.tier_code).where(_accounts.c.customer_id == customer_id))
    ).scalar()
    priority = escalate(data.priority, value_tier=value_tier, tier_code=tier_code)
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
            )
            .returning(*tickets.c)
        )
    ).one()


async def _locked(conn: AsyncConnection, ticket_id: int) -> Row[Any]:
    row = (await conn.execute(sql.ticket_by_id(ticket_id).with_for_update())).first()
    if row is None:
        raise NotFound("no such ticket", field=["ticketId"])
    return row


def _check_move(row: Row[Any], target: str) -> None:
    if not may_move(row.status, target):
        raise Conflict(f"a {row.status} ticket cannot become {target}", field=["ticketId"])


async def respond_to_ticket(
    conn: AsyncConnection, ticket_id: int, *, at: dt.datetime | None = None, now: dt.datetime | None = None
) -> Row[Any]:
    """The first response: sets `first_response_at`, OPEN → PENDING."""
    now = now or utcnow()
    row = await _locked(conn, ticket_id)
    _check_move(row, "PENDING")
    at = at or now
    _check_time(at, now, ["at"])
    if at < row.opened_at:
        raise InvalidInput("a response cannot precede the ticket's opening", field=["at"])
    return (
        await conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket_id)
            .values(first_response_at=at, status="PENDING")
            .returning(*tickets.c)
        )
    ).one()


async def resolve_ticket(
    conn: AsyncConnection, ticket_id: int, *, at: dt.datetime | None = None, now: dt.datetime | None = None
) -> Row[Any]:
    """Sets `resolved_at`, OPEN or PENDING → RESOLVED. Resolving a ticket nobody answered first
    answers it too: the resolution is the first response (`first_response_at` = `resolved_at`)."""
    now = now or utcnow()
    row = await _locked(conn, ticket_id)
    _check_move(row, "RESOLVED")
    at = at or now
    _check_time(at, now, ["at"])
    if at < (row.first_response_at or row.opened_at):
        raise InvalidInput("a resolution cannot precede the opening or the first response", field=["at"])
    return (
        await conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket_id)
            .values(resolved_at=at, first_response_at=row.first_response_at or at, status="RESOLVED")
            .returning(*tickets.c)
        )
    ).one()
