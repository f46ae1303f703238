"""Requesting a background job: a `jobs` row (QUEUED) and an outbox row, in the caller's transaction.

The request commits or rolls back with the mutation that made it; a relay hands committed outbox
rows to the queue (RQ, or the server's embedded runner), so nothing is lost while Redis is down.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.jobs.models import Job, JobOutbox

jobs = table_of(Job)
outbox = table_of(JobOutbox)

QUEUED: Final = "QUEUED"
STARTED: Final = "STARTED"
FINISHED: Final = "FINISHED"
FAILED: Final = "FAILED"


async def request_job(
    conn: AsyncConnection,
    kind: str,
    params: dict[str, Any],
    *,
    customer_id: int | None = None,
    requested_by: str | None = None,
    dedupe_key: str | None = None,
    not_before: dt.datetime | None = None,
) -> int:
    """Queue a job of `kind` with JSON `params` and return its id.

    With `dedupe_key`, a job with the same key that is still QUEUED is returned instead of a new
    one: a burst of requests (e.g. orders of one customer) costs one run. `not_before` delays the
    dispatch (the debounce window)."""
    if dedupe_key is not None:
        existing = (
            await conn.execute(
                select(jobs.c.id)
                .where(jobs.c.dedupe_key == dedupe_key, jobs.c.status == QUEUED)
                .order_by(jobs.c.id)
                .limit(1)
            )
        ).scalar()
        if existing is not None:
            return int(existing)
    now = utcnow()
    job_id = (
        await conn.execute(
            insert(jobs)
            .values(
                kind=kind,
                status=QUEUED,
                params=params,
                customer_id=customer_id,
                dedupe_key=dedupe_key,
                requested_by=requested_by,
                enqueued_at=now,
                attempts=0,
            )
            .returning(jobs.c.id)
        )
    ).scalar_one()
    await conn.execute(insert(outbox).values(job_id=job_id, created_at=now, not_before=not_before))
    return int(job_id)
