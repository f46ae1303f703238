"""The relay: hands committed outbox rows to a dispatcher (RQ, or the embedded runner).

A row is marked dispatched only after its dispatch succeeded, so while Redis is down the rows
stay and the next pass retries them. A job left STARTED past its timeout (its worker died and no
retry came) is requeued through a new outbox row, up to the attempt limit, then marked FAILED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

import structlog
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import utcnow
from domain.jobs.requests import FAILED, QUEUED, STARTED, jobs, outbox
from jobs.registry import timeout_of
from jobs.runner import MAX_ATTEMPTS, RETRY_INTERVALS

log = structlog.get_logger("c360.jobs.relay")

BATCH: Final = 500
# Extra time past a job's timeout before a STARTED job counts as lost (RQ notices a dead worker
# after its heartbeat TTL, about a minute; give it the first chance).
LOST_GRACE: Final = dt.timedelta(minutes=3)
# A dispatched job still QUEUED after this long was lost by the queue (e.g. Redis restarted empty).
STALE_QUEUED: Final = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Pending:
    outbox_id: int
    job_id: int
    kind: str
    attempts: int


Dispatch = Callable[[Pending], Awaitable[None]]


class DispatchUnavailable(Exception):
    """The queue is unreachable: stop this pass, keep the rows for the next one."""


async def relay_once(engine: AsyncEngine, dispatch: Dispatch, *, now: dt.datetime | None = None) -> int:
    """One pass: dispatch due, undispatched outbox rows (oldest first). Returns how many went."""
    now = now or utcnow()
    await requeue_lost(engine, now=now)
    sent = 0
    while True:
        async with engine.begin() as conn:
            query = (
                select(outbox.c.id, outbox.c.job_id, jobs.c.kind, jobs.c.attempts)
                .join(jobs, jobs.c.id == outbox.c.job_id)
                .where(outbox.c.dispatched_at.is_(None))
                .where(outbox.c.not_before.is_(None) | (outbox.c.not_before <= now))
                .order_by(outbox.c.id)
                .limit(BATCH)
            )
            if engine.dialect.name == "postgresql":
                query = query.with_for_update(of=outbox, skip_locked=True)
            rows = [Pending(r.id, r.job_id, r.kind, r.attempts) for r in (await conn.execute(query)).all()]
            done: list[int] = []
            try:
                for pending in rows:
                    await dispatch(pending)
                    done.append(pending.outbox_id)
            except DispatchUnavailable:
                log.warning("queue unavailable; outbox rows kept", kept=len(rows) - len(done))
                rows = []  # stop after recording what did go
            finally:
                if done:
                    await conn.execute(update(outbox).where(outbox.c.id.in_(done)).values(dispatched_at=utcnow()))
        sent += len(done)
        if len(rows) < BATCH:
            return sent


async def requeue_lost(engine: AsyncEngine, *, now: dt.datetime | None = None) -> int:
    """Requeue jobs STARTED longer than their timeout + grace (fail those out of attempts), and
    jobs still QUEUED long after their last dispatch."""
    now = now or utcnow()
    async with engine.begin() as conn:
        recent = select(outbox.c.id).where(
            outbox.c.job_id == jobs.c.id,
            outbox.c.dispatched_at.is_(None) | (outbox.c.dispatched_at >= now - STALE_QUEUED),
        )
        stale = (await conn.execute(select(jobs.c.id).where(jobs.c.status == QUEUED, ~recent.exists()))).scalars().all()
        if stale:
            await conn.execute(insert(outbox), [{"job_id": j, "created_at": now} for j in stale])
        started = (
            await conn.execute(
                select(jobs.c.id, jobs.c.kind, jobs.c.started_at, jobs.c.attempts).where(jobs.c.status == STARTED)
            )
        ).all()
        lost = [
            r
            for r in started
            if r.started_at is not None and r.started_at + dt.timedelta(seconds=timeout_of(r.kind)) + LOST_GRACE < now
        ]
        for r in lost:
            if r.attempts >= MAX_ATTEMPTS:
                await conn.execute(
                    update(jobs)
                    .where(jobs.c.id == r.id, jobs.c.status == STARTED)
                    .values(status=FAILED, finished_at=now, error=f"{r.kind} was lost {r.attempts} times (worker died)")
                )
            else:
                await conn.execute(
                    update(jobs).where(jobs.c.id == r.id, jobs.c.status == STARTED).values(status=QUEUED)
                )
                await conn.execute(insert(outbox).values(job_id=r.id, created_at=now))
        if lost or stale:
            log.warning("lost jobs requeued or failed", started=len(lost), queued=len(stale))
        return len(lost) + len(stale)


async def claim_next(engine: AsyncEngine, *, now: dt.datetime | None = None) -> int | None:
    """Take the oldest due outbox row for an in-process run: mark it dispatched, return its job id.
    The mark is conditional, so of several server processes one takes each row."""
    now = now or utcnow()
    while True:
        async with engine.begin() as conn:
            row = (
                await conn.execute(
                    select(outbox.c.id, outbox.c.job_id)
                    .where(outbox.c.dispatched_at.is_(None))
                    .where(outbox.c.not_before.is_(None) | (outbox.c.not_before <= now))
                    .order_by(outbox.c.id)
                    .limit(1)
                )
            ).first()
            if row is None:
                return None
            taken = await conn.execute(
                update(outbox).where(outbox.c.id == row.id, outbox.c.dispatched_at.is_(None)).values(dispatched_at=now)
            )
            if taken.rowcount == 1:
                return int(row.job_id)
        # Another process took it between our SELECT and UPDATE: look for the next one.


async def schedule_retry(engine: AsyncEngine, job_id: int, *, now: dt.datetime | None = None) -> bool:
    """After a retryable failure of an in-process run: a new outbox row after the back-off interval,
    while attempts remain. Returns whether a retry was scheduled."""
    now = now or utcnow()
    async with engine.begin() as conn:
        attempts = (await conn.execute(select(jobs.c.attempts).where(jobs.c.id == job_id))).scalar()
        if attempts is None or attempts >= MAX_ATTEMPTS:
            return False
        delay = RETRY_INTERVALS[min(attempts, len(RETRY_INTERVALS)) - 1]
        await conn.execute(
            insert(outbox).values(job_id=job_id, created_at=now, not_before=now + dt.timedelta(seconds=delay))
        )
        return True
