"""The score refresh job."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.jobs.requests import jobs
from domain.scoring.aggregates import HOLDOUT_DAYS
from domain.scoring.refresh import refresh_all, refresh_customers
from domain.scoring.requests import request_full_refresh


async def refresh_scores(engine: AsyncEngine, job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """params: `customerIds` (omitted: everyone, fitting the models), `asOf` (ISO; default now),
    `holdoutDays` (model validation of a full refresh; default 180).
    `pauseSeconds` holds the first attempt for that long before it works: for fault drills (kill a
    worker mid-job, see the retry finish); the API never sets it."""
    as_of = dt.datetime.fromisoformat(params["asOf"]) if params.get("asOf") else None
    if params.get("pauseSeconds") and await attempts_of(engine, job_id) == 1:
        await asyncio.sleep(float(params["pauseSeconds"]))
    ids = params.get("customerIds")
    if ids is None:
        return await refresh_all(engine, as_of, holdout_days=int(params.get("holdoutDays") or HOLDOUT_DAYS))
    done = await refresh_customers(engine, [int(i) for i in ids], as_of)
    if done is not None:
        return done
    # No model yet: the first full refresh fits it and scores these customers too.
    async with engine.begin() as conn:
        full = await request_full_refresh(conn, requested_by=f"job:{job_id}")
    return {"customers": 0, "deferredToJob": full}


async def attempts_of(engine: AsyncEngine, job_id: int) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(jobs.c.attempts).where(jobs.c.id == job_id))).scalar() or 0)
