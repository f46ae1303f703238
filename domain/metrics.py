"""Prometheus metrics of the work behind the API: ingest, jobs, the audit trail, the database pool.

Plain prometheus-client objects (no web framework); api/metrics.py serves them with the HTTP
ones, merged across a server's workers in multiprocess mode. Counted where the work is done and
committed, once per item: a retried transaction counts once.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

INGESTED = Counter(
    "c360_ingest_items_total",
    "Channel profiles and orders ingested, by kind (profile, order), path (graphql, import) and outcome "
    "(created, updated, merged, unchanged, rejected)",
    ["kind", "path", "outcome"],
)
JOB_RUNS = Counter("c360_jobs_total", "Jobs run to an end, by kind and status (FINISHED, FAILED)", ["kind", "status"])
JOB_SECONDS = Histogram("c360_job_seconds", "Time a job run took, by kind", ["kind"])
AUDIT_ENTRIES = Counter(
    "c360_audit_entries_total", "Audit entries written: one per customer whose personal fields a request read in clear"
)
AUDIT_FAILURES = Counter(
    "c360_audit_write_failures_total", "Requests whose audit entries could not be written (their data was withheld)"
)
POOL_CHECKED_OUT = Gauge(
    "c360_db_pool_checked_out", "Database connections in use (all live processes)", multiprocess_mode="livesum"
)
POOL_CHECKOUTS = Counter("c360_db_pool_checkouts_total", "Database connections taken from the pool")
POOL_CONNECTS = Counter("c360_db_connections_opened_total", "Database connections opened")


def instrument_pool(engine: AsyncEngine) -> None:
    """Counts `engine`'s pool checkouts and open connections (once per engine)."""
    sync = engine.sync_engine
    if getattr(sync, "_c360_pool_metrics", False):
        return
    sync._c360_pool_metrics = True  # type: ignore[attr-defined]

    def checked_out(*_args: Any) -> None:
        POOL_CHECKOUTS.inc()
        POOL_CHECKED_OUT.inc()

    def checked_in(*_args: Any) -> None:
        POOL_CHECKED_OUT.dec()

    def connected(*_args: Any) -> None:
        POOL_CONNECTS.inc()

    event.listen(sync, "checkout", checked_out)
    event.listen(sync, "checkin", checked_in)
    event.listen(sync, "connect", connected)
