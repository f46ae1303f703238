"""The periodic jobs (nightly full refresh, daily loyalty: points expiry and tier evaluation, the
SLA scan) and their slots, for both schedulers: the RQ scheduler of `c360 worker` (REDIS_URL set,
jobs/worker.py) and the server's embedded one (no REDIS_URL, `request_due_slots` below, called
by jobs/background.py). Either way a slot becomes a job request through the outbox like any other.

Embedded: each server process looks at the clock; when a slot is due it claims it with one
conditional UPDATE of its `periodic_slots` row (`slot < :due`), which only one process can win,
and requests the job in the same transaction. A slot never requested before (a new
installation) is due at once, so a fresh server refreshes scores and evaluates tiers right away;
a server that was down over several slots requests the latest of them once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import table_of, utcnow
from domain.jobs.models import PeriodicSlot
from domain.jobs.requests import request_job
from jobs.sla_scan import SCAN_EVERY, SLA_SCAN_JOB

slots = table_of(PeriodicSlot)


@dataclass(frozen=True)
class Periodic:
    name: str
    kind: str
    every: dt.timedelta
    offset: dt.timedelta = dt.timedelta(0)  # slots are epoch + offset + n * every (UTC)
    params: tuple[tuple[str, Any], ...] = ()


DAY = dt.timedelta(days=1)
PERIODIC = (
    Periodic("nightly-full-refresh", "refresh_scores", DAY, offset=dt.timedelta(hours=2)),
    Periodic("daily-loyalty", "loyalty_daily", DAY, offset=dt.timedelta(hours=3)),
    Periodic("nightly-lookalikes", "identity_lookalikes", DAY, offset=dt.timedelta(hours=4)),
    Periodic("sla-scan", SLA_SCAN_JOB, SCAN_EVERY),  # escalation on breach: every minute (jobs/sla_scan.py)
)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def next_slot(periodic: Periodic, after: dt.datetime) -> dt.datetime:
    """The first slot strictly after `after`."""
    start = EPOCH + periodic.offset
    n = (after - start) // periodic.every + 1
    return start + n * periodic.every


def latest_slot(periodic: Periodic, at: dt.datetime) -> dt.datetime:
    """The last slot at or before `at`."""
    start = EPOCH + periodic.offset
    return start + ((at - start) // periodic.every) * periodic.every


async def request_periodic_job(conn: Any, periodic: Periodic) -> int:
    """The job request of a slot (merged with one of the same periodic still waiting)."""
    return await request_job(
        conn,
        periodic.kind,
        dict(periodic.params),
        requested_by=f"periodic:{periodic.name}",
        dedupe_key=f"periodic:{periodic.name}",
    )


async def request_due_slots(
    engine: AsyncEngine, kinds: set[str], now: dt.datetime | None = None
) -> dict[str, dt.datetime]:
    """Claim and request every due slot of the periodic jobs whose kind is registered; returns
    the slots this process requested, by periodic name, and the next slot each waits for."""
    now = now or utcnow()
    requested: dict[str, dt.datetime] = {}
    for periodic in PERIODIC:
        if periodic.kind not in kinds:
            continue
        due = latest_slot(periodic, now)
        async with engine.begin() as conn:
            insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            await conn.execute(insert(slots).values(name=periodic.name, slot=None).on_conflict_do_nothing())
            claimed = await conn.execute(
                update(slots)
                .where(slots.c.name == periodic.name, or_(slots.c.slot.is_(None), slots.c.slot < due))
                .values(slot=due)
            )
            if claimed.rowcount == 1:
                await request_periodic_job(conn, periodic)
                requested[periodic.name] = due
    return requested


def next_due(kinds: set[str], now: dt.datetime) -> dt.datetime:
    """When the embedded scheduler must look again: the next slot of any registered periodic."""
    return min((next_slot(p, now) for p in PERIODIC if p.kind in kinds), default=now + DAY)


async def last_slots(engine: AsyncEngine) -> dict[str, dt.datetime | None]:
    async with engine.connect() as conn:
        return {r.name: r.slot for r in await conn.execute(select(slots.c.name, slots.c.slot))}
