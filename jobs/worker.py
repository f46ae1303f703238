"""`c360 worker`: an RQ worker with the RQ scheduler, the relay, and the periodic jobs.

Periodic jobs (nightly full refresh, daily loyalty tiers and points expiry, the SLA scan when
registered) are requests through the outbox like any other job. Each periodic slot is an RQ
scheduled job with a deterministic id, so several workers scheduling the same slot schedule it once.

The worker forks a work horse per job, so its own process runs a single thread: the relay runs in
a process of its own (spawned, not forked), which exits when the worker does. A relay thread in
the forking process once hung a job for good: forked while the thread was importing the database
driver, the work horse waited forever on that module's import lock, held by a thread it does not
have (docs/scoring.md, "Jobs").
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import multiprocessing
import os

import structlog
from rq import Queue, Worker

from domain.base import utcnow
from domain.settings import get_settings
from jobs.periodic import PERIODIC, Periodic, next_slot, request_periodic_job
from jobs.registry import JOBS
from jobs.rq_queue import connect, queue_name

log = structlog.get_logger("c360.worker")


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

    periodic = next(p for p in PERIODIC if p.name == name)

    async def main() -> int:
        settings = get_settings()
        engine = make_engine(settings.database_url, settings.job_timeouts)
        try:
            async with engine.begin() as conn:
                return await request_periodic_job(conn, periodic)
        finally:
            await engine.dispose()

    job_id = asyncio.run(main())
    current = get_current_job()
    if current is not None:
        schedule_next(Queue(current.origin, connection=current.connection), periodic, dt.datetime.fromisoformat(slot))
    return job_id


def relay_process_main(redis_url: str, database_url: str, worker_pid: int) -> None:
    """The relay loop, in its own process, until the worker `worker_pid` is gone."""
    from domain.db import make_engine
    from jobs.background import relay_loop

    async def main() -> None:
        engine = make_engine(database_url, get_settings().job_timeouts)
        relay = asyncio.create_task(relay_loop(engine, redis_url), name="c360-relay")
        try:
            while os.getppid() == worker_pid and not relay.done():  # noqa: ASYNC110 (no event tells a parent died)
                await asyncio.sleep(1)
        finally:
            relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay
            await engine.dispose()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


def _relay_process(redis_url: str, database_url: str) -> multiprocessing.process.BaseProcess:
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of this one's state
    process = spawn.Process(
        target=relay_process_main, args=(redis_url, database_url, os.getpid()), name="c360-relay", daemon=True
    )
    process.start()
    return process


def _load_driver(database_url: str) -> None:
    """Import the database driver before the first fork, so work horses start with it loaded."""
    from domain.db import make_engine

    make_engine(database_url).sync_engine.dispose()


def relay_pass(redis_url: str, database_url: str) -> int:
    from domain.db import make_engine
    from jobs.relay import relay_once
    from jobs.rq_queue import make_queue, rq_dispatcher

    async def main() -> int:
        engine = make_engine(database_url, get_settings().job_timeouts)
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
        _relay_process(settings.redis_url, settings.database_url)
        _load_driver(settings.database_url)
    # maintenance every minute: RQ requeues the jobs of dead workers (abandoned jobs) from there.
    worker = Worker([queue], connection=connection, name=name, maintenance_interval=60)
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
