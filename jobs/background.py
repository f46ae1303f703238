"""Background loops of the server process.

With REDIS_URL: a relay loop moves outbox rows to RQ (the `c360 worker` processes run them and
schedule the periodic jobs). Without: an embedded loop schedules the periodic jobs like a worker
does (jobs/periodic.py: one process wins each slot however many run) and runs the requested jobs
inside the server, one at a time, on the server's event loop; job functions push CPU-heavy
parts (the model fit) to a thread. The SLA scan (escalation on breach) is one of the periodic
jobs, every minute.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Final

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import utcnow
from domain.settings import Settings
from jobs.periodic import next_due, request_due_slots
from jobs.registry import JOBS
from jobs.relay import claim_next, relay_once, requeue_lost, schedule_retry
from jobs.runner import JobFailed, run_job

log = structlog.get_logger("c360.jobs")

POLL_SECONDS: Final = 1.0
# Lost and stale jobs are minutes old by definition (jobs/relay.py LOST_GRACE, STALE_QUEUED):
# looking for them every poll was most of an idle server's statements.
SWEEP_SECONDS: Final = 30.0


async def run_due_jobs(engine: AsyncEngine, *, limit: int | None = None) -> int:
    """Run due jobs in this process until none is due (or `limit` ran); returns how many ran."""
    ran = 0
    while limit is None or ran < limit:
        job_id = await claim_next(engine)
        if job_id is None:
            break
        try:
            await run_job(engine, job_id)
        except JobFailed:
            await schedule_retry(engine, job_id)
        ran += 1
    return ran


async def embedded_loop(
    engine: AsyncEngine,
    poll_seconds: float = POLL_SECONDS,
    sweep_seconds: float = SWEEP_SECONDS,
) -> None:
    swept = -sweep_seconds
    kinds = set(JOBS)
    due = utcnow()  # look at the periodic slots at once: a new installation's are due now
    while True:
        try:
            if utcnow() >= due:
                await request_due_slots(engine, kinds)
                due = next_due(kinds, utcnow())
            now = asyncio.get_running_loop().time()
            if now - swept >= sweep_seconds:
                await requeue_lost(engine)
                swept = now
            await run_due_jobs(engine)
        except Exception as exc:  # keep the loop alive; the next pass retries
            log.warning("embedded job loop error", error=type(exc).__name__)
        await asyncio.sleep(poll_seconds)


async def relay_loop(engine: AsyncEngine, redis_url: str, poll_seconds: float = POLL_SECONDS) -> None:
    from jobs.rq_queue import make_queue, rq_dispatcher

    dispatch = rq_dispatcher(make_queue(redis_url))
    while True:
        try:
            await relay_once(engine, dispatch)
        except Exception as exc:
            log.warning("relay error", error=type(exc).__name__)
        await asyncio.sleep(poll_seconds)


@contextlib.asynccontextmanager
async def background_jobs(engine: AsyncEngine, settings: Settings) -> AsyncIterator[None]:
    """Run the relay (REDIS_URL set) or the embedded runner for as long as the block runs."""
    loop = relay_loop(engine, settings.redis_url) if settings.redis_url else embedded_loop(engine)
    task = asyncio.create_task(loop, name="c360-jobs")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
