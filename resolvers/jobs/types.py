"""Background jobs as the API shows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from domain.privacy.roles import Role
from resolvers.common.enums import JobStatus
from resolvers.common.ids import encode_id
from resolvers.common.node import Node
from resolvers.context import Context
from resolvers.jobs.dataloaders import JobByIdLoader


@strawberry.type(description="A background job: status, timings, error and a JSON result.")
class Job(Node):
    row: strawberry.Private[Any]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Job", self.row.id))

    @strawberry.field
    def kind(self) -> str:
        return str(self.row.kind)

    @strawberry.field
    def status(self) -> JobStatus:
        return JobStatus(self.row.status)

    @strawberry.field
    def enqueued_at(self) -> dt.datetime:
        return self.row.enqueued_at  # type: ignore[no-any-return]

    @strawberry.field
    def started_at(self) -> dt.datetime | None:
        return self.row.started_at  # type: ignore[no-any-return]

    @strawberry.field
    def finished_at(self) -> dt.datetime | None:
        return self.row.finished_at  # type: ignore[no-any-return]

    @strawberry.field
    def error(self) -> str | None:
        return self.row.error  # type: ignore[no-any-return]

    @strawberry.field(description="JSON text, e.g. counts, or the export document.")
    def result(self) -> str | None:
        return self.row.result  # type: ignore[no-any-return]


async def load_job(ctx: Context, job_id: int) -> Job | None:
    """A job as its caller may see it: ADMIN sees every job, others only the jobs they requested
    (a result can be an export of personal data)."""
    row = await ctx.loader(JobByIdLoader).load(job_id)
    if row is None or (ctx.caller.role is not Role.ADMIN and row.requested_by != ctx.caller.subject):
        return None
    return Job(row=row)
