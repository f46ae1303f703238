"""The periodic SLA scan: marks tickets about to breach (`at_risk_at`) and breached (`breached_at`).

A plain async function with its own connection and transaction, so the scheduler can call it
every few minutes. Idempotent: each mark is written once (only where it is still null), so a
second run at the same time changes nothing. The marks record when a scan first saw the state;
`Ticket.breached` itself is always computed from the timestamps (domain/service/sla.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import utcnow
from domain.service.queries import breached_condition, tickets
from domain.service.sla import about_to_breach

OPEN_STATUSES = ("OPEN", "PENDING")
LONGEST_ALLOWANCE = dt.timedelta(days=7)
"""No policy allows more than this; tickets due later cannot be in their last quarter yet."""


async def run_sla_scan(engine: AsyncEngine, now: dt.datetime | None = None) -> dict[str, int]:
    """Mark newly breached and newly at-risk tickets; returns how many of each were marked."""
    now = now or utcnow()
    async with engine.begin() as conn:
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
    return {"breached": breached.rowcount, "atRisk": len(at_risk)}


async def sla_scan_job(engine: AsyncEngine, job_id: int, params: dict[str, Any]) -> dict[str, int]:
    """The `sla_scan` job kind (every 5 minutes, jobs/periodic.py)."""
    del job_id, params
    return await run_sla_scan(engine)
