"""The daily loyalty job: points expiry, then the tier evaluation."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import utcnow
from domain.loyalty.earn import expire_points
from domain.loyalty.tiers import evaluate_tiers


async def loyalty_daily(engine: AsyncEngine, job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    async with engine.begin() as conn:
        expired = await expire_points(conn, now)
    async with engine.begin() as conn:
        changed = await evaluate_tiers(conn, now)
    return {"pointsExpired": expired, "tiersChanged": changed}
