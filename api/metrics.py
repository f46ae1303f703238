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


def exposition() -> tuple[bytes, str]:
    """The text of a scrape: every process's samples in multiprocess mode, else this process's."""
    if is_multiprocess():
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int | None = None) -> None:
    """Drop a finished process's live gauges (multiprocess mode only)."""
    if is_multiprocess():
        _multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]
