"""Running one requested job: STARTED, then FINISHED with a JSON result or FAILED with an error.

Each state change is its own transaction, so `job(id)` shows progress while the job runs. A job
that already FINISHED is not run again (a duplicate dispatch is harmless). Errors keep only a
clear message: never a stack trace, never a personal value.

A run is bounded by its kind's timeout (jobs/registry.py): past it the job is FAILED with that
reason and not retried (it would only run as long again); each statement is bounded by the
engine's statement timeout, and a statement or lock timeout or a lost database fails the run with
that reason and is retried like any failure a retry may fix.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Final

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import utcnow
from domain.db import is_unavailable
from domain.errors import DomainError
from domain.jobs.requests import FAILED, FINISHED, STARTED, jobs
from domain.metrics import JOB_RUNS, JOB_SECONDS
from jobs.registry import JOBS, timeout_of

log = structlog.get_logger("c360.jobs")

# Attempts in all (the first run and the retries) before a failing job stays FAILED.
MAX_ATTEMPTS: Final = 4
RETRY_INTERVALS: Final = (5, 30, 120)


class JobFailed(Exception):
    """A job failed in a way a retry may fix (the queue retries it)."""


async def run_job(engine: AsyncEngine, job_id: int) -> str:
    """Run job `job_id` and return its final status (FINISHED, FAILED), or MISSING.

    Raises JobFailed when the job failed for a reason a retry may fix (anything but a DomainError)."""
    async with engine.begin() as conn:
        query = select(jobs.c.kind, jobs.c.status, jobs.c.params).where(jobs.c.id == job_id)
        if engine.dialect.name == "postgresql":
            query = query.with_for_update()
        row = (await conn.execute(query)).first()
        if row is None:
            return "MISSING"
        if row.status == FINISHED:
            return FINISHED
        await conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(status=STARTED, started_at=utcnow(), finished_at=None, attempts=jobs.c.attempts + 1)
        )
    kind, params = str(row.kind), dict(row.params or {})
    fn = JOBS.get(kind)
    if fn is None:
        await _finish(engine, job_id, FAILED, error=f"unknown job kind {kind!r}")
        return FAILED
    seconds = timeout_of(kind)
    deadline = asyncio.timeout(seconds)
    started = time.perf_counter()
    try:
        async with deadline:
            result = await fn(engine, job_id, params)
    except DomainError as exc:
        await _finish(engine, job_id, FAILED, error=exc.message)
        _count(kind, FAILED, started)
        return FAILED
    except Exception as exc:
        if deadline.expired():
            log.warning("job timed out", job_id=job_id, kind=kind, seconds=seconds)
            await _finish(engine, job_id, FAILED, error=f"{kind} did not finish within its timeout ({seconds} s)")
            _count(kind, FAILED, started)
            return FAILED
        _count(kind, FAILED, started)
        # The exception text may carry row values: keep only its type in the record and the log.
        log.warning("job failed", job_id=job_id, kind=kind, error=type(exc).__name__)
        why = " (the database was unavailable or a statement ran past its timeout)" if is_unavailable(exc) else ""
        await _finish(engine, job_id, FAILED, error=f"{kind} failed ({type(exc).__name__}){why}")
        raise JobFailed(f"job {job_id} ({kind}) failed: {type(exc).__name__}") from None
    await _finish(engine, job_id, FINISHED, result=result)
    _count(kind, FINISHED, started)
    return FINISHED


def _count(kind: str, status: str, started: float) -> None:
    JOB_RUNS.labels(kind, status).inc()
    JOB_SECONDS.labels(kind).observe(time.perf_counter() - started)


async def _finish(
    engine: AsyncEngine, job_id: int, status: str, *, error: str | None = None, result: dict[str, Any] | None = None
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id)
            .values(
                status=status,
                finished_at=utcnow(),
                error=error,
                result=json.dumps(result, sort_keys=True, default=str) if result is not None else None,
            )
        )


def run_job_sync(job_id: int) -> str:
    """The RQ entry point: runs the job on a fresh engine in a fresh event loop."""
    from domain.db import make_engine
    from domain.settings import get_settings

    async def main() -> str:
        settings = get_settings()
        engine = make_engine(settings.database_url, settings.job_timeouts)
        try:
            return await run_job(engine, job_id)
        finally:
            await engine.dispose()

    return asyncio.run(main())
