"""The ASGI application: /graphql (GraphiQL for browsers), /healthz, /readyz, /metrics.

/graphql is a plain Starlette endpoint (api/graphql_http.py parses and encodes): body limit,
authentication, idempotency, then `schema.execute`; strawberry's view only renders GraphiQL."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from api import idempotency, unavailable
from api.auth import Unauthenticated
from api.credential_throttle import CredentialGuard, Throttled
from api.graphql_http import BadRequest, encode, execute, parse_get, parse_post
from api.idempotency import mutation_fingerprint
from api.logs import configure_logging
from domain.callers.rate_limit import TokenBuckets
from domain.db import make_engine
from domain.settings import Settings, check_secret, get_settings
from jobs.background import background_jobs
from resolvers.context import Context
from resolvers.schema import schema

log = structlog.get_logger("c360.http")
MAX_BODY_BYTES = 1_000_000
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # 64: audit_entries.request_id
REQUESTS = Counter("c360_graphql_requests_total", "GraphQL requests", ["outcome"])
LATENCY = Histogram("c360_graphql_seconds", "GraphQL request latency")


# Label children bound once (a `labels()` lookup per request is not free).
_OK, _INTERNAL, _BAD_REQUEST = REQUESTS.labels("ok"), REQUESTS.labels("internal"), REQUESTS.labels("bad_request")
_RATE_LIMITED, _REPLAYED = REQUESTS.labels("rate_limited"), REQUESTS.labels("replayed")
_TOO_LARGE, _UNAUTHENTICATED = REQUESTS.labels("too_large"), REQUESTS.labels("unauthenticated")
_UNAVAILABLE = REQUESTS.labels("unavailable")


def _error(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


async def _read_body(request: Request) -> bytes | None:
    """The body, read up to MAX_BODY_BYTES (None beyond: nothing more is read)."""
    if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _request_id(given: str | None) -> str:
    """The client's X-Request-Id when it is a plain token the audit can hold, else a new one."""
    return given if given and REQUEST_ID.fullmatch(given) else os.urandom(16).hex()


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
    check_secret(settings.secret)
    guard = CredentialGuard(settings)
    ide = GraphQL(schema, graphql_ide="graphiql")  # serves only the GraphiQL page

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Requests and the embedded jobs each under their own bounds (domain/settings.py).
        app.state.engine = engine or make_engine(settings.database_url, settings.request_timeouts)
        jobs_engine = engine or make_engine(settings.database_url, settings.job_timeouts)
        freeze_startup_heap()
        try:
            async with background_jobs(jobs_engine, settings):
                yield
        finally:
            await guard.aclose()
            if engine is None:
                await app.state.engine.dispose()
                await jobs_engine.dispose()

    buckets = TokenBuckets(settings.rate_limit_burst, settings.rate_limit_per_second)

    async def graphql(request: Request) -> Response:
        if request.method == "GET" and "query" not in request.query_params:
            return await ide.render_graphql_ide(request)
        body = b""
        if request.method == "POST":
            read = await _read_body(request)
            if read is None:
                _TOO_LARGE.inc()
                return _error(413, "request body too large", "PAYLOAD_TOO_LARGE")
            body = read
        try:
            client = request.client.host if request.client else "unknown"
            caller = await guard.caller(request.app.state.engine, request.headers, client)
        except Unauthenticated as exc:
            _UNAUTHENTICATED.inc()
            return _unauthorized(str(exc))
        except Throttled as exc:
            _RATE_LIMITED.inc()
            throttled = _error(429, str(exc), "RATE_LIMITED")
            throttled.headers["Retry-After"] = str(exc.retry_after)
            return throttled
        ctx = Context(
            engine=request.app.state.engine,
            settings=settings,
            caller=caller,
            request_id=_request_id(request.headers.get("x-request-id")),
            headers=dict(request.headers),
            rate_limiter=buckets,
        )
        key = request.headers.get("idempotency-key")
        fingerprint = mutation_fingerprint(body) if key and request.method == "POST" else None
        if key and fingerprint:
            if len(key) > idempotency.MAX_KEY_LENGTH:
                return _error(400, "Idempotency-Key is too long", "INVALID_INPUT")
            claim = await idempotency.claim(ctx.engine, subject=caller.subject, key=key, fingerprint=fingerprint)
            if claim.replay is not None:
                _REPLAYED.inc()
                return Response(claim.replay, media_type="application/json", headers={"Idempotent-Replayed": "true"})
            if claim.conflict is not None:
                return _error(409, claim.conflict, "CONFLICT")
        response: Response | None = None
        started = time.perf_counter()
        try:
            try:
                if request.method == "POST":
                    parsed = parse_post(body, request.headers.get("content-type", ""))
                else:
                    parsed = parse_get(request.query_params)
                result = await execute(schema, parsed, request.method, ctx)
            except asyncio.CancelledError:
                # A cancellation aimed at this request (client gone, shutdown) propagates;
                # a stray one from inside execution (graphql-core aborting sibling fields
                # that share a DataLoader batch) is answered as an internal error.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
                log.error("request_cancelled_inside_execution", request_id=ctx.request_id)
                _INTERNAL.inc()
                return JSONResponse(  # not kept as `response`: never stored for Idempotency-Key
                    {
                        "errors": [
                            {
                                "message": f"internal error (request id {ctx.request_id})",
                                "extensions": {"code": "INTERNAL", "requestId": ctx.request_id},
                            }
                        ]
                    },
                )
            except BadRequest as exc:
                _BAD_REQUEST.inc()
                response = _error(exc.status, exc.message, "BAD_REQUEST")
                return response
            if ctx.retry_after is not None:
                _RATE_LIMITED.inc()
                response = Response(
                    encode(result),
                    status_code=429,
                    media_type="application/json",
                    headers={"Retry-After": str(ctx.retry_after)},
                )
            elif unavailable.is_unavailable_result(result):
                _UNAVAILABLE.inc()
                response = Response(
                    encode(result), status_code=503, media_type="application/json", headers=unavailable.HEADERS
                )
            else:
                _OK.inc()
                response = Response(encode(result), media_type="application/json")
            return response
        finally:
            await ctx.close()
            seconds = time.perf_counter() - started
            LATENCY.observe(seconds)
            log.info(
                "graphql_request",
                request_id=ctx.request_id,
                subject=caller.subject,
                role=caller.role.value,
                status=response.status_code if response is not None else 500,
                seconds=round(seconds, 4),
            )
            if key and fingerprint:
                if response is not None and response.status_code == 200:
                    await idempotency.store(
                        ctx.engine,
                        subject=caller.subject,
                        key=key,
                        response=bytes(response.body),
                        request_id=ctx.request_id,
                    )
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
        middleware=[Middleware(unavailable.UnavailableMiddleware)],
    )
    app.state.credential_guard = guard
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
