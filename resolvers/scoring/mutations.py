"""Score refresh mutations."""

from __future__ import annotations

import datetime as dt

import strawberry
from sqlalchemy import select

from domain.jobs.requests import jobs
from domain.scoring.requests import request_refresh
from resolvers.common import permissions as perm
from resolvers.common.ids import decode_id
from resolvers.context import Context
from resolvers.jobs.payloads import JobPayload
from resolvers.jobs.types import Job

Info = strawberry.Info[Context, None]


@strawberry.type
class ScoringMutations:
    @perm.guarded_mutation(
        perm.REFRESH_SCORES, "refresh scores", "All customers when customerIds is omitted; asOf defaults to now."
    )
    async def refresh_scores(
        self, info: Info, customer_ids: list[strawberry.ID] | None = None, as_of: dt.datetime | None = None
    ) -> JobPayload:
        ids = None if customer_ids is None else [decode_id(c, "Customer", "customerIds") for c in customer_ids]
        async with info.context.transaction() as conn:
            job_id = await request_refresh(conn, ids, as_of, requested_by=info.context.caller.subject)
            row = (await conn.execute(select(jobs).where(jobs.c.id == job_id))).one()
        return JobPayload(job=Job(row=row))
