"""Read-side SQL for background jobs."""

from __future__ import annotations

from domain.base import table_of
from domain.jobs.models import Job
from domain.paging import by_ids

jobs = table_of(Job)

JOBS_BY_IDS = by_ids(jobs)
