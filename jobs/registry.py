"""Job kinds: each maps to an async function `(engine, job_id, params) -> result dict`.

A job function recomputes from source rows and upserts, so running it twice changes nothing.
Add a kind by adding a line to `JOBS` (and, when it may run long, to `TIMEOUTS`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.privacy.erasure import ERASURE_JOB, EXPORT_JOB
from jobs import loyalty, scoring
from jobs.identity import LOOKALIKES_JOB, lookalikes_job
from jobs.privacy import erasure_job, export_job
from jobs.sla_scan import SLA_SCAN_JOB, sla_scan_job

JobFunction = Callable[[AsyncEngine, int, dict[str, Any]], Awaitable[dict[str, Any]]]

JOBS: dict[str, JobFunction] = {
    "refresh_scores": scoring.refresh_scores,
    "loyalty_daily": loyalty.loyalty_daily,
    ERASURE_JOB: erasure_job,
    EXPORT_JOB: export_job,
    LOOKALIKES_JOB: lookalikes_job,
    SLA_SCAN_JOB: sla_scan_job,
}

# Seconds a run may take: past it the run is FAILED (jobs/runner.py), RQ kills the work horse a
# minute later (jobs/rq_queue.py), and the relay counts a job STARTED that long ago as lost.
DEFAULT_TIMEOUT = 600
TIMEOUTS: dict[str, int] = {"refresh_scores": 1800, LOOKALIKES_JOB: 1800}


def timeout_of(kind: str) -> int:
    return TIMEOUTS.get(kind, DEFAULT_TIMEOUT)
