"""The `job(id)` root field."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from domain.jobs.requests import jobs
from resolvers.common.ids import decode_id
from resolvers.context import Context
from resolvers.jobs.types import Job


async def job_by_id(info: strawberry.Info[Context, None], id: strawberry.ID) -> Job | None:
    rows = await info.context.rows(select(jobs).where(jobs.c.id == decode_id(id, "Job")))
    return Job(row=rows[0]) if rows else None
