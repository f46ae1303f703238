"""The payload of mutations that start a job."""

from __future__ import annotations

import strawberry

from resolvers.common.errors import UserError
from resolvers.jobs.types import Job


@strawberry.type
class JobPayload:
    job: Job | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
