"""The periodic SLA scan: escalates tickets whose due time was just breached, and marks tickets
about to breach (`at_risk_at`) and breached (`breached_at`).

A plain async function with its own connection and transaction; the embedded loop
(jobs/background.py) and the worker's schedule (jobs/worker.py) run it at least every minute.
Escalation is once per breach: each due time of an open ticket (the first response, the
resolution) that passed unmet raises `escalation_level` by one and the priority one level (up to
URGENT), stamping `response_escalated_at` / `resolution_escalated_at` in the same UPDATE, whose
WHERE requires the stamp to be null; so a second run, or two runs at once, escalate nothing
more. The due times are not recomputed. The marks record when a scan first saw the state;
`Ticket.breached` itself is always computed from the timestamps (domain/service/sla.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.base import utcnow
from domain.service import events
from domain.service.queries import breached_condition, priority_one_level_up, tickets
from domain.service.sla import OPEN_STATUSES, about_to_breach

SLA_SCAN_JOB = "sla_scan"
SCAN_EVERY = dt.timedelta(seconds=60)
"""How often the scan runs, in the embedded loop and on the worker's schedule alike."""
LONGEST_ALLOWANCE = dt.timedelta(days=7)
"""No policy allows more than this; tickets due later cannot be in their last quarter yet."""

# (due time, done time, escalation stamp) per kind of breach.
BREACHES = {
    "FIRST_RESPONSE": (tickets.c.first_response_due_at, tickets.c.first_response_at, tickets.c.response_escalated_at),
    "RESOLUTION": (tickets.c.resolution_due_at, tickets.c.resolved_at, tickets.c.resolution_escalated_at),
}


def _escalation(kind: str, now: dt.datetime) -> tuple[list[ColumnElement[bool]], dict[Any, Any]]:
    due, done, stamp = BREACHES[kind]
    where = [
        tickets.c.next_due_at < now,  # open and past its earliest unmet due time (the index)
        tickets.c.status.in_(OPEN_STATUSES),
        done.is_(None),
        due < now,
        stamp.is_(None),
    ]
    values = {
        stamp: now,
        tickets.c.escalation_level: tickets.c.escalation_level + 1,
        tickets.c.priority: priority_one_level_up(tickets.c.priority),
    }
    return where, values


async def escalate_breaches(conn: AsyncConnection, now: dt.datetime) -> int:
    """Escalate every open ticket once for each due time breached since the last scan; records an
    ESCALATED event per escalation. Returns how many escalations were made."""
    made = []
    for kind in BREACHES:
        where, values = _escalation(kind, now)
        result = await conn.execute(
            update(tickets)
            .where(*where)
            .values(values)
            .returning(tickets.c.id, tickets.c.customer_id, tickets.c.escalation_level, tickets.c.priority)
        )
        made += [
            events.event(
                row,
                events.ESCALATED,
                events.SYSTEM,
                now,
                breach=kind,
                level=row.escalation_level,
                priority=row.priority,
            )
            for row in result
        ]
    await events.record_events(conn, made)
    return len(made)


async def run_sla_scan(engine: AsyncEngine, now: dt.datetime | None = None) -> dict[str, int]:
    """Escalate, mark newly breached and newly at-risk tickets; returns how many of each."""
    now = now or utcnow()
    async with engine.begin() as conn:
        escalated = await escalate_breaches(conn, now)
        breached = await conn.execute(
            update(tickets).where(tickets.c.breached_at.is_(None), breached_condition(now)).values(breached_at=now)
        )
        # At risk: checked by the pure rule over the few open tickets due soon.
        candidates = await conn.execute(
            select(
                tickets.c.id,
                tickets.c.opened_at,
                tickets.c.first_response_at,
                tickets.c.resolved_at,
                tickets.c.first_response_due_at,
                tickets.c.resolution_due_at,
            ).where(
                tickets.c.status.in_(OPEN_STATUSES),
                tickets.c.at_risk_at.is_(None),
                tickets.c.breached_at.is_(None),
                tickets.c.resolution_due_at < now + LONGEST_ALLOWANCE,
            )
        )
        at_risk = [row.id for row in candidates if about_to_breach(row, now)]
        if at_risk:
            await conn.execute(update(tickets).where(tickets.c.id.in_(at_risk)).values(at_risk_at=now))
    return {"breached": breached.rowcount, "atRisk": len(at_risk), "escalated": escalated}


async def sla_scan_job(engine: AsyncEngine, job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The `sla_scan` job kind (every minute, jobs/periodic.py): one scan at the current time."""
    del job_id, params
    return await run_sla_scan(engine)
