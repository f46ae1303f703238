"""HTTP 503 for a database that is unreachable or ran past a timeout (docs/privacy.md, "Every
request is bounded"): `Retry-After` and `extensions.code` = UNAVAILABLE, never a hang, never
INTERNAL, no stack trace or SQL in the response or the log.

Two ways in: a GraphQL result whose errors include UNAVAILABLE (resolvers/common/error_shaping.py
gave it that code) is answered with status 503 (`status_of`); an unavailable database met
outside GraphQL execution (authentication's API key lookup, the idempotency record, /readyz's
own probe aside) raises out of the endpoint and `UnavailableMiddleware` answers it."""

from __future__ import annotations

from typing import Final

import structlog
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.types import ExecutionResult

from domain.db import is_unavailable
from domain.errors import ErrorCode
from resolvers.common.error_shaping import UNAVAILABLE_MESSAGE

log = structlog.get_logger("c360.http")

# Seconds a caller is asked to wait: a lock or a restart is usually over by then.
RETRY_AFTER_SECONDS: Final = 5
HEADERS: Final = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def is_unavailable_result(result: ExecutionResult) -> bool:
    return any((error.extensions or {}).get("code") == ErrorCode.UNAVAILABLE.value for error in result.errors or ())


def unavailable_response() -> JSONResponse:
    body = {"errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": ErrorCode.UNAVAILABLE.value}}]}
    return JSONResponse(body, status_code=503, headers=HEADERS)


class UnavailableMiddleware:
    """Answers 503 UNAVAILABLE for an unavailable database raised out of any route (when no
    response has started yet); every other exception goes on as before."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started or not is_unavailable(exc):
                raise
            log.warning("database_unavailable", path=scope.get("path"), error_type=type(exc).__name__)
            await unavailable_response()(scope, receive, send)
