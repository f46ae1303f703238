"""The ASGI application: /graphql (GraphiQL for browsers), /healthz, /readyz, /metrics.

`create_app` is a stack of middleware (api/middleware.py, outermost first): request id, access
log and metrics, CORS (`C360_CORS_ORIGINS`), GZip, body limit; under it the routes. /graphql is
a thin endpoint (api/graphql_endpoint.py): authentication, idempotency, then `schema.execute`."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from api import graphiql, metrics, unavailable
from api.credential_throttle import CredentialGuard
from api.graphql_endpoint import graphql_endpoint
from api.logs import configure_logging
from api.middleware import BodyLimitMiddleware, ObservedMiddleware, RequestIdMiddleware, StrictCORSMiddleware
from domain.db import make_engine
from domain.metrics import instrument_pool
from domain.settings import Settings, check_secret, get_settings
from jobs.background import background_jobs

MAX_BODY_BYTES = 1_000_000
GZIP_MIN_BYTES = 1024  # smaller bodies are sent as they are
# What a browser on an allowed origin may send and read (CORS).
CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-API-Key",
    "X-C360-Purpose",
    "Idempotency-Key",
    "X-Request-Id",
]
CORS_RESPONSE_HEADERS = [
    "X-Request-Id",
    "Retry-After",
    "Idempotent-Replayed",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
]

_heap_frozen = False


def freeze_startup_heap() -> None:
    """Keep what the process holds once started (schema, models, libraries: ~150k objects) out of
    every later garbage collection: a full collection rescanned it every few large responses,
    ~40 ms per request of a 50-customer list (docs/architecture.md, "Execution"). Once a process."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


def middleware(settings: Settings, *, access_log: bool = True) -> list[Middleware]:
    """The stack around the routes, outermost first."""
    return [
        Middleware(RequestIdMiddleware),
        Middleware(ObservedMiddleware, log_requests=access_log),
        Middleware(
            StrictCORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_RESPONSE_HEADERS,
            max_age=600,
        ),
        Middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES),
        Middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES),
        Middleware(unavailable.UnavailableMiddleware),  # 503 for a database met outside GraphQL
    ]


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> Starlette:
    configure_logging()
    settings = settings or get_settings()
    check_secret(settings.secret)
    guard = CredentialGuard(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Requests and the embedded jobs each under their own bounds (domain/settings.py).
        app.state.engine = engine or make_engine(settings.database_url, settings.request_timeouts)
        jobs_engine = engine or make_engine(settings.database_url, settings.job_timeouts)
        instrument_pool(app.state.engine)
        freeze_startup_heap()
        try:
            async with background_jobs(jobs_engine, settings):
                yield
        finally:
            await guard.aclose()
            if engine is None:
                await app.state.engine.dispose()
                await jobs_engine.dispose()
            metrics.mark_process_dead()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks: dict[str, Any] = {}
        try:
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception:
            checks["database"] = "unreachable"
        if settings.redis_url:
            checks["redis"] = await _redis_ok(settings.redis_url)
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503)

    async def metrics_route(request: Request) -> Response:
        try:
            snapshot = await metrics.queue_depth(request.app.state.engine, settings.redis_url)
        except Exception:  # a scrape still answers what the processes counted
            snapshot = []
        body, content_type = metrics.exposition(snapshot)
        return Response(body, media_type=content_type)

    app = Starlette(
        routes=[
            Route("/graphql", graphql_endpoint(settings, guard), methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_route),
            Mount(graphiql.PREFIX, graphiql.Assets()),
        ],
        middleware=middleware(settings, access_log=settings.access_log),
        lifespan=lifespan,
    )
    app.state.credential_guard = guard
    if engine is not None:
        app.state.engine = engine  # usable without running the lifespan (tests, embedding)
        instrument_pool(engine)
    return app


async def _redis_ok(url: str) -> str:
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_connect_timeout=1)
    try:
        await client.ping()
        return "ok"
    except Exception:
        return "unreachable"
    finally:
        await client.aclose()
