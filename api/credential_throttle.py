"""Repeated failed credentials from one client address are throttled (contract "Trust").

After `C360_AUTH_FAILURE_LIMIT` failed credentials (default 10: a bad, expired or over-long
token, a bad or revoked API key) from one address within `C360_AUTH_FAILURE_WINDOW_SECONDS`
(default 60) of its first failure, every request from that address that needs its credential
verified answers HTTP 429 with `Retry-After` until the window ends. The right guess answers 429
too, so guessing gains nothing, and a blocked flood costs no argon2. Requests without any
credential are not counted (they guess nothing), and a credential this process verified lately
(`known_caller`) is not held up: it was proven already.

The counts are shared by every server process, never kept per process: in Redis when
`REDIS_URL` is set (in the database while Redis is unreachable), else in the database
(`credential_failures`, domain/callers/failures.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import Unauthenticated, authenticate, known_caller
from domain.base import utcnow
from domain.callers.caller import Caller
from domain.callers.failures import current_failures, record_failure
from domain.settings import Settings

log = structlog.get_logger("c360.auth")
REDIS_TIMEOUT_SECONDS = 0.5


class Throttled(Exception):
    """Too many failed credentials from this address: HTTP 429 with Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed credentials from this address; retry after {retry_after} s")
        self.retry_after = retry_after


class FailureStore(Protocol):
    async def failures(self, engine: AsyncEngine, client: str, now: dt.datetime) -> tuple[int, float] | None:
        """(failures, seconds until the window ends) of the address's running window."""

    async def record(self, engine: AsyncEngine, client: str, now: dt.datetime) -> None: ...

    async def aclose(self) -> None: ...


class DatabaseFailures:
    def __init__(self, window_seconds: int) -> None:
        self.window = dt.timedelta(seconds=window_seconds)

    async def failures(self, engine: AsyncEngine, client: str, now: dt.datetime) -> tuple[int, float] | None:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")  # one read: no transaction
            found = await current_failures(conn, client, now=now, window=self.window)
        if found is None:
            return None
        count, started = found
        return count, (started + self.window - now).total_seconds()

    async def record(self, engine: AsyncEngine, client: str, now: dt.datetime) -> None:
        async with engine.begin() as conn:
            await record_failure(conn, client, now=now, window=self.window)

    async def aclose(self) -> None:
        return None


class RedisFailures:
    """A counter per address that expires at the end of its window (SET NX EX, then INCR)."""

    def __init__(self, url: str, window_seconds: int, fallback: DatabaseFailures) -> None:
        self.url = url
        self.window_seconds = window_seconds
        self.fallback = fallback
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            import redis.asyncio as aioredis

            self._client = aioredis.from_url(
                self.url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
            )
        return self._client

    @staticmethod
    def _key(client: str) -> str:
        return f"c360:credential-failures:{client}"

    async def failures(self, engine: AsyncEngine, client: str, now: dt.datetime) -> tuple[int, float] | None:
        from redis.exceptions import RedisError

        try:
            async with self._redis().pipeline(transaction=False) as pipe:
                count, ttl = await pipe.get(self._key(client)).ttl(self._key(client)).execute()
        except (RedisError, OSError) as error:
            log.warning("credential_throttle_redis_unreachable", error_type=type(error).__name__)
            return await self.fallback.failures(engine, client, now)
        return None if count is None or ttl <= 0 else (int(count), float(ttl))

    async def record(self, engine: AsyncEngine, client: str, now: dt.datetime) -> None:
        from redis.exceptions import RedisError

        key = self._key(client)
        try:
            async with self._redis().pipeline(transaction=True) as pipe:
                *_, ttl = await pipe.set(key, 0, ex=self.window_seconds, nx=True).incr(key).ttl(key).execute()
            if ttl < 0:  # a counter without expiry would block the address for good
                await self._redis().expire(key, self.window_seconds)
        except (RedisError, OSError) as error:
            log.warning("credential_throttle_redis_unreachable", error_type=type(error).__name__)
            await self.fallback.record(engine, client, now)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _presents_credentials(headers: Mapping[str, str]) -> bool:
    return bool(headers.get("authorization") or headers.get("x-api-key"))


class CredentialGuard:
    """Authentication behind the throttle: `await guard.caller(engine, headers, client)`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limit = settings.auth_failure_limit
        database = DatabaseFailures(settings.auth_failure_window_seconds)
        self.store: FailureStore = (
            RedisFailures(settings.redis_url, settings.auth_failure_window_seconds, database)
            if settings.redis_url
            else database
        )

    async def caller(self, engine: AsyncEngine, headers: Mapping[str, str], client: str) -> Caller:
        """The request's caller; raises Unauthenticated (401) or Throttled (429)."""
        known = known_caller(self.settings, headers)
        if known is not None:
            return known
        now = utcnow()
        running = await self.store.failures(engine, client, now)
        if running is not None and running[0] >= self.limit:
            raise Throttled(max(1, math.ceil(running[1])))
        try:
            return await authenticate(engine, self.settings, headers)
        except Unauthenticated:
            if _presents_credentials(headers):
                await self.store.record(engine, client, now)
            raise

    async def aclose(self) -> None:
        await self.store.aclose()
