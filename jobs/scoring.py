"""The score refresh job."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.scoring.refresh import refresh_all, refresh_customers
from domain.scoring.requests import request_full_refresh


async def refresh_scores(engine: AsyncEngine, job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """params: `customerIds` (omitted: everyone, fitting the models), `asOf` (ISO; default now).
    `pauseSeconds` holds the job between reading and writing: for fault drills (a worker killed
    mid-job); the API never sets it."""
    as_of = dt.datetime.fromisoformat(params["asOf"]) if params.get("asOf") else None
    if params.get("pauseSeconds"):
        await asyncio.sleep(float(params["pauseSeconds"]))
    ids = params.get("customerIds")
    if ids is None:
        return await refresh_all(engine, as_of)
    done = await refresh_customers(engine, [int(i) for i in ids], as_of)
    if done is not None:
        return done
    # No model yet: the first full refresh fits it and scores these customers too.
    async with engine.begin() as conn:
        full = await request_full_refresh(conn, requested_by=f"job:{job_id}")
    return {"customers": 0, "deferredToJob": full}
