"""Prometheus metrics of the HTTP surface and their exposition at /metrics.

With `PROMETHEUS_MULTIPROC_DIR` set (`c360 serve` sets it: api/metrics_dir.py), every process
writes its samples there and a scrape, answered by any one worker, merges all of them
(prometheus-client's multiprocess collector): counters never go backwards between scrapes
that land on different workers. Without it (tests, embedding) the process's own registry is served.

Labels stay bounded: routes are the app's own paths, operation names are the client's but kept
to `MAX_OPERATION_NAMES` distinct names per process (then `other`), roles are the enum.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.jobs.requests import QUEUED, STARTED, jobs, outbox

_PENDING_JOBS = select(jobs.c.status, func.count()).where(jobs.c.status.in_([QUEUED, STARTED])).group_by(jobs.c.status)
_PENDING_OUTBOX = select(func.count()).select_from(outbox).where(outbox.c.dispatched_at.is_(None))

ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
ASSETS = "/graphiql"  # GraphiQL's files (api/graphiql), one label for all
MAX_OPERATION_NAMES = 200
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")

HTTP_REQUESTS = Counter(
    "c360_http_requests_total", "HTTP requests by route, method and status", ["route", "method", "status"]
)
HTTP_SECONDS = Histogram("c360_http_request_seconds", "HTTP request latency by route", ["route"])
GRAPHQL_REQUESTS = Counter(
    "c360_graphql_requests_total",
    "GraphQL requests by outcome (ok, bad_request, rate_limited, replayed, too_large, unauthenticated, internal), "
    "operation name and role",
    ["outcome", "operation", "role"],
)
GRAPHQL_SECONDS = Histogram("c360_graphql_seconds", "GraphQL request latency by operation name", ["operation"])
_known_operations: set[str] = set()


def route_label(path: str) -> str:
    if path in ROUTES:
        return path
    return ASSETS if path.startswith(ASSETS + "/") else "other"


def operation_label(name: str | None) -> str:
    """The metric label of a client's operation name (bounded; `anonymous` when unnamed)."""
    if not name:
        return "anonymous"
    if name in _known_operations:
        return name
    if not _OPERATION_NAME.fullmatch(name) or len(_known_operations) >= MAX_OPERATION_NAMES:
        return "other"
    _known_operations.add(name)
    return name


def observe_http(route: str, method: str, status: int, seconds: float, graphql: dict[str, Any] | None) -> None:
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_SECONDS.labels(route).observe(seconds)
    if graphql is not None and route == "/graphql":
        operation = operation_label(graphql.get("operation"))
        GRAPHQL_REQUESTS.labels(graphql.get("outcome", "internal"), operation, graphql.get("role", "none")).inc()
        GRAPHQL_SECONDS.labels(operation).observe(seconds)


def is_multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class _Snapshot(Collector):
    """Gauges read at scrape time (the queue's depth): the same for every worker, so reported
    by the scrape itself rather than summed over processes."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def queue_depth(engine: AsyncEngine, redis_url: str | None) -> list[GaugeMetricFamily]:
    """Jobs waiting or running (by status, from the jobs table), outbox rows not yet handed to
    the queue, and the RQ queue's length when jobs go through Redis."""
    jobs = GaugeMetricFamily("c360_jobs_pending", "Jobs not finished, by status (QUEUED, STARTED)", labels=["status"])
    outbox = GaugeMetricFamily("c360_job_outbox_pending", "Requested jobs not yet handed to the queue")
    async with engine.connect() as conn:
        counts: dict[str, int] = {status: n for status, n in (await conn.execute(_PENDING_JOBS)).all()}
        undispatched = (await conn.execute(_PENDING_OUTBOX)).scalar_one()
    for status in (QUEUED, STARTED):
        jobs.add_metric([status], float(counts.get(status, 0)))
    outbox.add_metric([], float(undispatched))
    families = [jobs, outbox]
    if redis_url:
        families.append(await _rq_depth(redis_url))
    return families


async def _rq_depth(redis_url: str) -> GaugeMetricFamily:
    import redis.asyncio as aioredis

    from jobs.rq_queue import queue_name

    family = GaugeMetricFamily("c360_rq_queue_length", "Jobs waiting in the RQ queue")
    client = aioredis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)
    try:
        family.add_metric([], float(await client.llen(f"rq:queue:{queue_name()}")))
    finally:
        await client.aclose()
    return family


def exposition(snapshot: list[GaugeMetricFamily] | None = None) -> tuple[bytes, str]:
    """The text of a scrape: every process's samples in multiprocess mode, else this process's;
    then the scrape-time gauges of `snapshot`."""
    if is_multiprocess():
        merged = CollectorRegistry()
        _multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        text = generate_latest(merged)
    else:
        text = generate_latest(REGISTRY)
    if snapshot:
        scraped = CollectorRegistry()
        scraped.register(_Snapshot(snapshot))
        text += generate_latest(scraped)
    return text, CONTENT_TYPE_LATEST


def mark_process_dead(pid: int | None = None) -> None:
    """Drop a finished process's live gauges (multiprocess mode only)."""
    if is_multiprocess():
        _multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]
