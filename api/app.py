"""The ASGI application: /graphql (GraphiQL for browsers), /healthz, /readyz, /metrics."""

from __future__ import annotations

import contextlib
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

from api.auth import Unauthenticated, authenticate
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


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> Starlette:
    settings = settings or get_settings()
    view = C360GraphQL(schema, graphql_ide="graphiql", allow_queries_via_get=True)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.engine = engine or make_engine(settings.database_url)
        try:
            async with background_jobs(app.state.engine, settings):
                yield
        finally:
            if engine is None:
                await app.state.engine.dispose()

    async def graphql(request: Request) -> Response:
        if request.method == "GET" and "query" not in request.query_params:
            return await view.render_graphql_ide(request)
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            return JSONResponse({"errors": [{"message": "request body too large"}]}, status_code=413)
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
        )
        try:
            with LATENCY.time():
                response = await view.run(request, context=ctx)
            REQUESTS.labels("ok").inc()
            return response
        except HTTPException as exc:
            REQUESTS.labels("bad_request").inc()
            return JSONResponse({"errors": [{"message": exc.reason}]}, status_code=exc.status_code)
        finally:
            await ctx.close()

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
