"""The request context: the caller, one database connection, DataLoaders and the audit trail.

Read-only requests run on one autocommit connection (no BEGIN/ROLLBACK round trip); mutations
open their own transaction with `transaction()`. Statements of one request share the connection
behind a lock, because GraphQL resolves sibling fields concurrently.

`rows()` reads through `domain.prepared_reads.PreparedReads` on that connection: on PostgreSQL a
statement object already run twice runs on the asyncpg connection itself (SQL, parameter order
and result metadata taken from its second, SQLAlchemy, execution; asyncpg keeps it prepared), and
its records become the same SQLAlchemy `Row`s, with the same values, types and keys, at about a
third of the CPU. Loader statements are built once at import, so they all take that path; batch
keys are bound as one array (`domain.base.key_in`), so one prepared statement serves every batch
size. SQLite, statements built per call (run once, never planned), and anything
the plan cannot reproduce (listeners on the engine's execution events, expanding IN lists) keep
SQLAlchemy's own path.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Executable, Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.callers.caller import Caller
from domain.callers.rate_limit import RateLimiter, Spend
from domain.db import in_transaction
from domain.prepared_reads import PreparedReads
from domain.settings import Settings

L = TypeVar("L")
T = TypeVar("T")


@dataclass
class AuditTrail:
    """Personal fields returned in clear, per customer, written as audit entries at the end."""

    fields: dict[int, set[str]] = field(default_factory=dict)

    def record(self, customer_id: int, field_name: str) -> None:
        self.fields.setdefault(customer_id, set()).add(field_name)


@dataclass
class Context:
    engine: AsyncEngine
    settings: Settings
    caller: Caller
    request_id: str
    headers: dict[str, str] = field(default_factory=dict)
    audit: AuditTrail = field(default_factory=AuditTrail)
    rate_limiter: RateLimiter | None = None  # the app's per-caller cost buckets
    rate_limit: Spend | None = None  # what this request's spend left (RateLimit-* headers)
    retry_after: int | None = None  # set when the rate limit refused the request (HTTP 429)
    _conn: AsyncConnection | None = None
    _reads: PreparedReads | None = None  # the SELECTs of _conn
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _loaders: dict[type[Any], Any] = field(default_factory=dict)
    # (PerCustomerPages, customer_id, filters) -> rows, learnt from first pages (totalCount)
    page_totals: dict[tuple[Any, int, Any], int] = field(default_factory=dict)

    def loader(self, cls: type[L]) -> L:
        """The request's instance of a DataLoader class (made on first use)."""
        instance = self._loaders.get(cls)
        if instance is None:
            instance = self._loaders[cls] = cls(self)  # type: ignore[call-arg]
        return instance

    async def rows(self, statement: Executable, params: dict[str, Any] | None = None) -> Sequence[Row[Any]]:
        # Shielded: graphql-core cancels the siblings of a field whose error nulls their parent,
        # and a statement cancelled mid-flight would leave the shared connection broken.
        return await asyncio.shield(self._rows(statement, params))

    async def _rows(self, statement: Executable, params: dict[str, Any] | None) -> Sequence[Row[Any]]:
        async with self._lock:
            reads = self._reads
            if reads is None:
                reads = self._reads = await PreparedReads.on(self._conn or await self._connect())
            return await reads.rows(statement, params)

    async def _connect(self) -> AsyncConnection:
        conn = await self.engine.connect()
        self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    async def execute_autocommit(self, statement: Executable, params: Sequence[dict[str, Any]]) -> None:
        """One statement that writes, on the request's autocommit connection: the database
        commits it on its own before it returns (for appends that need no transaction, such as
        the audit trail: one round trip, no second connection). Several parameter sets are an
        executemany: all or none on PostgreSQL (asyncpg), one commit each on SQLite."""

        async def run() -> None:
            async with self._lock:
                conn = self._conn or await self._connect()
                await conn.execute(statement, list(params))

        await asyncio.shield(run())

    async def scalar(self, statement: Executable, params: dict[str, Any] | None = None) -> Any:
        rows = await self.rows(statement, params)
        return rows[0][0] if rows else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction, committed when the block ends without an exception."""
        async with self.engine.begin() as conn:
            yield conn
        self._loaders.clear()  # what was cached may have changed
        self.page_totals.clear()

    async def write(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run one unit of work in `transaction()`, rerun from scratch after a deadlock or a
        serialization failure, so concurrent writers never see those as errors."""
        return await in_transaction(self.transaction, work)

    async def close(self) -> None:
        """Return the read connection (discarded if it broke)."""
        async with self._lock:  # after any shielded statement still running
            conn, self._conn, self._reads = self._conn, None, None
        if conn is None:
            return
        try:
            await conn.close()
        except Exception:
            with contextlib.suppress(Exception):
                await conn.invalidate()
