"""`c360 worker`: an RQ worker with the RQ scheduler, the relay, and the periodic jobs.

Periodic jobs (nightly full refresh, daily loyalty tiers and points expiry, the SLA scan when
registered) are requests through the outbox like any other job. Each periodic slot is an RQ
scheduled job with a deterministic id, so several workers scheduling the same slot schedule it once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import structlog
from rq import Queue, Worker

from domain.base import utcnow
from domain.settings import get_settings
from jobs.registry import JOBS
from jobs.rq_queue import connect, queue_name
from jobs.sla_scan import SCAN_EVERY, SLA_SCAN_JOB

log = structlog.get_logger("c360.worker")


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
    # Escalation on breach: every minute (jobs/sla_scan.py).
    Periodic("sla-scan", SLA_SCAN_JOB, SCAN_EVERY),
)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def next_slot(periodic: Periodic, after: dt.datetime) -> dt.datetime:
    start = EPOCH + periodic.offset
    n = (after - start) // periodic.every + 1
    return start + n * periodic.every


def schedule_next(queue: Queue, periodic: Periodic, after: dt.datetime) -> None:
    slot = next_slot(periodic, after)
    queue.enqueue_at(
        slot,
        request_periodic,
        periodic.name,
        slot.isoformat(),
        job_id=f"c360-periodic-{periodic.name}-{slot:%Y%m%dT%H%M}",
        description=f"c360 periodic {periodic.name} at {slot:%Y-%m-%d %H:%M}Z",
    )


def schedule_periodic(queue: Queue, now: dt.datetime | None = None) -> list[str]:
    now = now or utcnow()
    names = []
    for periodic in PERIODIC:
        if periodic.kind in JOBS:
            schedule_next(queue, periodic, now)
            names.append(periodic.name)
    return names


def request_periodic(name: str, slot: str) -> int:
    """RQ job: request the periodic job of this slot through the outbox, schedule the next slot."""
    from rq import get_current_job

    from domain.db import make_engine
    from domain.jobs.requests import request_job

    periodic = next(p for p in PERIODIC if p.name == name)

    async def main() -> int:
        engine = make_engine(get_settings().database_url)
        try:
            async with engine.begin() as conn:
                return await request_job(
                    conn,
                    periodic.kind,
                    dict(periodic.params),
                    requested_by=f"periodic:{name}",
                    dedupe_key=f"periodic:{name}",
                )
        finally:
            await engine.dispose()

    job_id = asyncio.run(main())
    current = get_current_job()
    if current is not None:
        schedule_next(Queue(current.origin, connection=current.connection), periodic, dt.datetime.fromisoformat(slot))
    return job_id


def _relay_thread(redis_url: str, database_url: str) -> threading.Thread:
    from domain.db import make_engine
    from jobs.background import relay_loop

    async def main() -> None:
        engine = make_engine(database_url)
        try:
            await relay_loop(engine, redis_url)
        finally:
            await engine.dispose()

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="c360-relay", daemon=True)
    thread.start()
    return thread


def relay_pass(redis_url: str, database_url: str) -> int:
    from domain.db import make_engine
    from jobs.relay import relay_once
    from jobs.rq_queue import make_queue, rq_dispatcher

    async def main() -> int:
        engine = make_engine(database_url)
        try:
            return await relay_once(engine, rq_dispatcher(make_queue(redis_url)))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def run_worker(*, burst: bool = False, name: str | None = None) -> None:
    settings = get_settings()
    if not settings.redis_url:
        raise SystemExit("c360 worker needs REDIS_URL (without it the server runs jobs itself)")
    connection = connect(settings.redis_url)
    queue = Queue(queue_name(), connection=connection)
    if burst:
        relay_pass(settings.redis_url, settings.database_url)
    else:
        schedule_periodic(queue)
        _relay_thread(settings.redis_url, settings.database_url)
    # maintenance every minute: RQ requeues the jobs of dead workers (abandoned jobs) from there.
    worker = Worker([queue], connection=connection, name=name, maintenance_interval=60)
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
