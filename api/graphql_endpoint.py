"""The /graphql endpoint: GraphiQL for a browser's GET, else authenticate, claim an
Idempotency-Key, parse (api/graphql_http.py), `schema.execute`, encode.

Body limit, request id, CORS, compression, metrics and the log line are middleware
(api/middleware.py); the endpoint leaves what they report in `request.state.graphql`."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api import graphiql, idempotency, persisted_queries, unavailable
from api.auth import Unauthenticated
from api.credential_throttle import CredentialGuard, Throttled
from api.graphql_http import (
    JSON,
    BadRequest,
    encode,
    execute,
    is_request_error,
    parse_get,
    parse_post,
    response_media_type,
    status_of,
)
from api.idempotency import mutation_fingerprint
from domain.callers.rate_limit import Spend, rate_limiter
from domain.settings import Settings
from resolvers.context import Context
from resolvers.schema import schema

log = structlog.get_logger("c360.http")


def _error(
    status: int, message: str, code: str, headers: dict[str, str] | None = None, media_type: str = JSON
) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers, media_type=media_type)


def _internal(request_id: str) -> JSONResponse:
    body = {
        "errors": [
            {
                "message": f"internal error (request id {request_id})",
                "extensions": {"code": "INTERNAL", "requestId": request_id},
            }
        ]
    }
    return JSONResponse(body)


def rate_limit_headers(spend: Spend, per_second: float) -> dict[str, str]:
    """The caller's budget after this request (IETF RateLimit header fields): the bucket's size,
    the points left, the seconds until it is full again, and the policy (size; the seconds a
    full refill takes as its window)."""
    window = spend.limit if per_second <= 0 else max(1, math.ceil(spend.limit / per_second))
    return {
        "RateLimit-Limit": str(spend.limit),
        "RateLimit-Remaining": str(spend.remaining),
        "RateLimit-Reset": str(spend.reset),
        "RateLimit-Policy": f"{spend.limit};w={window}",
    }


def graphql_endpoint(settings: Settings, guard: CredentialGuard) -> Callable[[Request], Awaitable[Response]]:
    buckets = rate_limiter(settings.rate_limit_burst, settings.rate_limit_per_second, settings.redis_url)

    async def endpoint(request: Request) -> Response:
        params = request.query_params
        if request.method in ("GET", "HEAD") and "query" not in params and "extensions" not in params:
            return graphiql.page()
        media_type = response_media_type(request.headers.get("accept"))
        report: dict[str, Any] = {"outcome": "internal"}
        request.state.graphql = report
        body = await request.body() if request.method == "POST" else b""
        try:
            client = request.client.host if request.client else "unknown"
            caller = await guard.caller(request.app.state.engine, request.headers, client)
        except Unauthenticated as exc:
            report["outcome"] = "unauthenticated"
            return _error(401, str(exc), "UNAUTHENTICATED", {"WWW-Authenticate": "Bearer"}, media_type)
        except Throttled as exc:
            report["outcome"] = "rate_limited"
            return _error(429, str(exc), "RATE_LIMITED", {"Retry-After": str(exc.retry_after)}, media_type)
        report.update(subject=caller.subject, role=caller.role.value)
        ctx = Context(
            engine=request.app.state.engine,
            settings=settings,
            caller=caller,
            request_id=request.state.request_id,
            headers=dict(request.headers),
            rate_limiter=buckets,
        )
        key = request.headers.get("idempotency-key")
        fingerprint = mutation_fingerprint(body) if key and request.method == "POST" else None
        if key and fingerprint:
            if len(key) > idempotency.MAX_KEY_LENGTH:
                report["outcome"] = "bad_request"
                return _error(400, "Idempotency-Key is too long", "INVALID_INPUT")
            claim = await idempotency.claim(ctx.engine, subject=caller.subject, key=key, fingerprint=fingerprint)
            if claim.replay is not None:
                report["outcome"] = "replayed"
                return Response(claim.replay, media_type="application/json", headers={"Idempotent-Replayed": "true"})
            if claim.conflict is not None:
                report["outcome"] = "bad_request"
                return _error(409, claim.conflict, "CONFLICT")
        response: Response | None = None
        try:
            try:
                if request.method == "POST":
                    parsed = parse_post(body, request.headers.get("content-type", ""))
                else:
                    parsed = parse_get(request.query_params)
                report["operation"] = parsed.operation_name
                resolved = await persisted_queries.resolve(ctx.engine, parsed)
                result = await execute(schema, resolved.request, request.method, ctx)
                if resolved.learn and resolved.request.query and not is_request_error(result):
                    await persisted_queries.learn(ctx.engine, resolved.learn, resolved.request.query)
            except persisted_queries.NotFound:
                report["outcome"] = "persisted_query_not_found"
                response = _error(200, persisted_queries.NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND", media_type=media_type)
                return response
            except asyncio.CancelledError:
                # A cancellation aimed at this request (client gone, shutdown) propagates;
                # a stray one from inside execution (graphql-core aborting sibling fields
                # that share a DataLoader batch) is answered as an internal error.
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
                log.error("request_cancelled_inside_execution", request_id=ctx.request_id)
                return _internal(ctx.request_id)  # not kept as `response`: never stored for Idempotency-Key
            except BadRequest as exc:
                report["outcome"] = "bad_request"
                response = _error(exc.status, exc.message, "BAD_REQUEST", media_type=media_type)
                return response
            if ctx.retry_after is not None:
                report["outcome"] = "rate_limited"
                response = Response(
                    encode(result),
                    status_code=429,
                    media_type=media_type,
                    headers={"Retry-After": str(ctx.retry_after)},
                )
            elif unavailable.is_unavailable_result(result):
                report["outcome"] = "unavailable"
                response = Response(
                    encode(result), status_code=503, media_type=media_type, headers=dict(unavailable.HEADERS)
                )
            else:
                status = status_of(result, media_type)
                report["outcome"] = "ok" if status == 200 else "bad_request"
                response = Response(encode(result), status_code=status, media_type=media_type)
            return response
        finally:
            if response is not None and ctx.rate_limit is not None:
                response.headers.update(rate_limit_headers(ctx.rate_limit, settings.rate_limit_per_second))
            await ctx.close()
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

    return endpoint
