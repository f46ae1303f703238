"""The nightly look-alike job: propose customers that share no identifier but look alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.customers.review import find_lookalikes

LOOKALIKES_JOB = "identity_lookalikes"


async def lookalikes_job(engine: AsyncEngine, job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """Idempotent: a known pair (open or decided) is never proposed again."""
    async with engine.begin() as conn:
        proposed = await find_lookalikes(conn)
    return {"proposed": proposed}
