"""The ASGI application: /graphql (GraphiQL for browsers), /healthz, /readyz, /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
import structlog
from cross_web import HTTPException
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from api import idempotency
from api.auth import Unauthenticated, authenticate
from api.idempotency import mutation_fingerprint
from api.logs import configure_logging
from domain.callers.rate_limit import TokenBuckets
from domain.db import make_engine
from domain.settings import Settings, get_settings
from jobs.background import background_jobs
from resolvers.context import Context
from resolvers.schema import schema

log = structlog.get_logger("c360.http")
MAX_BODY_BYTES = 1_000_000
REQUESTS = Counter("c360_graphql_requests_total", "GraphQL requests", ["outcome"])
LATENCY = Histogram("c360_graphql_seconds", "GraphQL request latency")


class C360GraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view with a fast JSON encoder; the context is built by the endpoint."""

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def _error(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


async def _read_body(request: Request) -> bytes | None:
    """The body, read up to MAX_BODY_BYTES (None beyond: nothing more is read), kept for strawberry."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette's own cache: request.body() answers it from now on
    return body


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


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


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> Starlette:
    configure_logging()
    settings = settings or get_settings()
    view = C360GraphQL(schema, graphql_ide="graphiql", allow_queries_via_get=True)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.engine = engine or make_engine(settings.database_url)
        freeze_startup_heap()
        try:
            async with background_jobs(app.state.engine, settings):
                yield
        finally:
            if engine is None:
                await app.state.engine.dispose()

    buckets = TokenBuckets(settings.rate_limit_burst, settings.rate_limit_per_second)

    async def graphql(request: Request) -> Response:
        if request.method == "GET" and "query" not in request.query_params:
            return await view.render_graphql_ide(request)
        if request.method == "POST" and await _read_body(request) is None:
            REQUESTS.labels("too_large").inc()
            return _error(413, "request body too large", "PAYLOAD_TOO_LARGE")
        try:
            caller = await authenticate(request.app.state.engine, settings, request.headers)
        except Unauthenticated as exc:
            REQUESTS.labels("unauthenticated").inc()
            return _unauthorized(str(exc))
        ctx = Context(
            engine=request.app.state.engine,
            settings=settings,
            caller=caller,
            request_id=request.headers.get("x-request-id") or uuid.uuid4().hex,
            headers=dict(request.headers),
            rate_limiter=buckets,
        )
        key = request.headers.get("idempotency-key")
        fingerprint = mutation_fingerprint(await request.body()) if key and request.method == "POST" else None
        if key and fingerprint:
            if len(key) > idempotency.MAX_KEY_LENGTH:
                return _error(400, "Idempotency-Key is too long", "INVALID_INPUT")
            claim = await idempotency.claim(ctx.engine, subject=caller.subject, key=key, fingerprint=fingerprint)
            if claim.replay is not None:
                REQUESTS.labels("replayed").inc()
                return Response(claim.replay, media_type="application/json", headers={"Idempotent-Replayed": "true"})
            if claim.conflict is not None:
                return _error(409, claim.conflict, "CONFLICT")
        response: Response | None = None
        started = time.perf_counter()
        try:
            with LATENCY.time():
                try:
                    response = await view.run(request, context=ctx)
                except asyncio.CancelledError:
                    # A cancellation aimed at this request (client gone, shutdown) propagates;
                    # a stray one from inside execution (graphql-core aborting sibling fields
                    # that share a DataLoader batch) is answered as an internal error.
                    task = asyncio.current_task()
                    if task is not None and task.cancelling():
                        raise
                    log.error("request_cancelled_inside_execution", request_id=ctx.request_id)
                    REQUESTS.labels("internal").inc()
                    return JSONResponse(
                        {
                            "errors": [
                                {
                                    "message": f"internal error (request id {ctx.request_id})",
                                    "extensions": {"code": "INTERNAL", "requestId": ctx.request_id},
                                }
                            ]
                        },
                    )
            if ctx.retry_after is not None:
                REQUESTS.labels("rate_limited").inc()
                response = Response(
                    bytes(response.body),
                    status_code=429,
                    media_type="application/json",
                    headers={"Retry-After": str(ctx.retry_after)},
                )
            else:
                REQUESTS.labels("ok").inc()
            return response
        except HTTPException as exc:
            REQUESTS.labels("bad_request").inc()
            return _error(exc.status_code, exc.reason, "BAD_REQUEST")
        finally:
            await ctx.close()
            log.info(
                "graphql_request",
                request_id=ctx.request_id,
                subject=caller.subject,
                role=caller.role.value,
                status=response.status_code if response is not None else 500,
                seconds=round(time.perf_counter() - started, 4),
            )
            if key and fingerprint:
                if response is not None and response.status_code == 200:
                    await idempotency.store(ctx.engine, subject=caller.subject, key=key, response=bytes(response.body))
                else:
                    await idempotency.release(ctx.engine, subject=caller.subject, key=key)

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

    async def metrics(_request: Request) -> Response:
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ],
        lifespan=lifespan,
    )
    if engine is not None:
        app.state.engine = engine  # usable without running the lifespan (tests, embedding)
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
