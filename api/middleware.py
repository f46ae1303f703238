"""The HTTP middleware around every route, as plain ASGI (no per-request task or stream copy).

`create_app` stacks them, outermost first: request id, access log, metrics, CORS (Starlette's),
compression (Starlette's GZip), body limit. Each does one thing and passes what later layers
need through `scope["state"]` (which `request.state` reads):

- `request_id`: the caller's `X-Request-Id` when it is a plain token, else a new one; every
  response carries it back.
- `graphql`: set by the GraphQL endpoint (operation name, role, outcome) for the log line and
  the metrics.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import Any

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # 64: what audit_entries.request_id holds
log = structlog.get_logger("c360.http")


def state(scope: Scope) -> dict[str, Any]:
    """The request's state dict (the one `request.state` is a view of)."""
    return scope.setdefault("state", {})  # type: ignore[no-any-return]


class RequestIdMiddleware:
    """Gives each HTTP request an id (`state["request_id"]`) and answers it as `X-Request-Id`.

    A caller's own `X-Request-Id` is kept when it is 1-128 characters of letters, digits and
    `._:-` (so it can be logged and echoed safely); anything else is replaced by a random one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.fullmatch(given) else os.urandom(16).hex()
        state(scope)["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class StrictCORSMiddleware(CORSMiddleware):
    """Starlette's CORS middleware, whose refusal of a preflight from an origin it does not
    allow carries no CORS header at all (Starlette's still lists the allowed methods and headers)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        if not self.is_allowed_origin(request_headers["origin"]):
            return PlainTextResponse("Disallowed CORS origin", status_code=400)
        return super().preflight_response(request_headers)


class BodyLimitMiddleware:
    """Answers 413 PAYLOAD_TOO_LARGE to a body over `max_bytes`, before anything runs.

    A declared Content-Length over the limit is refused unread; otherwise the body is read up
    to the limit (chunked uploads included) and handed on whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _too_large(scope, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(scope: Scope, send: Send) -> None:
    state(scope)["graphql"] = {"outcome": "too_large"}
    body = b'{"errors":[{"message":"request body too large","extensions":{"code":"PAYLOAD_TOO_LARGE"}}]}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ObservedMiddleware:
    """The access log line and the HTTP metrics of each request, from one timing.

    `log_requests=False` keeps the metrics and drops the line (benchmarks)."""

    def __init__(self, app: ASGIApp, log_requests: bool = True, clock: Callable[[], float] = time.perf_counter) -> None:
        self.app = app
        self.log_requests = log_requests
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = self.clock() - started
            route = metrics.route_label(scope["path"])
            graphql = state(scope).get("graphql")
            metrics.observe_http(route, scope["method"], status, seconds, graphql)
            if self.log_requests:
                fields: dict[str, Any] = {
                    "request_id": state(scope).get("request_id"),
                    "method": scope["method"],
                    "path": route,
                    "status": status,
                    "seconds": round(seconds, 4),
                }
                if graphql:
                    fields.update(graphql)
                log.info("graphql_request" if graphql else "http_request", **fields)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None
