"""Database engines: asyncpg for PostgreSQL, aiosqlite for the embedded default."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

import orjson
from sqlalchemy import JSON, Table, event, insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util import await_

from domain.settings import Timeouts

T = TypeVar("T")

# How often (in SQLite virtual machine instructions) a running SQLite statement checks its deadline.
_SQLITE_DEADLINE_CHECK = 20_000
# The client-side bound on a PostgreSQL statement is the server's statement timeout plus this: the
# server cancels first (a clear error); the client gives up on a server that stopped answering.
_CLIENT_GRACE_S = 1.0


def make_engine(url: str, timeouts: Timeouts | None = None, **kwargs: Any) -> AsyncEngine:
    """An engine on `url`. With `timeouts` (the server, jobs, the CLI: domain/settings.py), every
    connection runs its statements under a statement timeout and a lock timeout, and waiting for
    a pooled or a new connection is bounded (docs/privacy.md, "Every request is bounded");
    without, the database's own defaults apply (benchmarks building data sets)."""
    # Parameters are personal values (emails, phones...): keep them out of error messages and logs.
    kwargs.setdefault("hide_parameters", True)
    if timeouts is not None:
        kwargs.setdefault("pool_timeout", timeouts.pool_ms / 1000)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, timeouts, **kwargs)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", False)
    if timeouts is not None:
        server_settings = {"lock_timeout": str(timeouts.lock_ms)}
        if timeouts.statement_ms:
            server_settings["statement_timeout"] = str(timeouts.statement_ms)
        connect_args = {
            "server_settings": server_settings,
            "timeout": timeouts.pool_ms / 1000,  # opening a connection
            "command_timeout": timeouts.statement_ms / 1000 + _CLIENT_GRACE_S if timeouts.statement_ms else None,
            **kwargs.pop("connect_args", {}),
        }
        kwargs["connect_args"] = connect_args
    return create_async_engine(url, **kwargs)


def _sqlite_engine(url: str, timeouts: Timeouts | None, **kwargs: Any) -> AsyncEngine:
    busy_ms = timeouts.lock_ms if timeouts is not None else 30_000
    engine = create_async_engine(url, connect_args={"timeout": busy_ms / 1000}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Waiting for another connection's write lock: the lock timeout.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()
        # Let SQLAlchemy, not the driver, emit BEGIN (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        if timeouts is not None and timeouts.statement_ms:
            # SQLite has no statement timeout: a progress handler interrupts a statement that
            # runs past the deadline set when it started (_sqlite_deadline).
            deadline = record.info["c360_deadline"] = [0.0]

            def past_deadline() -> int:
                return 1 if time.monotonic() > deadline[0] > 0 else 0

            # aiosqlite runs it on its own thread, where the sqlite3 connection lives.
            await_(dbapi_connection._connection.set_progress_handler(past_deadline, _SQLITE_DEADLINE_CHECK))

    if timeouts is not None and timeouts.statement_ms:
        seconds = timeouts.statement_ms / 1000

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _sqlite_deadline(conn: Any, *_args: Any) -> None:
            deadline = conn.connection.info.get("c360_deadline")
            if deadline is not None:
                deadline[0] = time.monotonic() + seconds

    @event.listens_for(engine.sync_engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        # Write transactions take the write lock up front: two deferred transactions that
        # both try to upgrade to writers would otherwise fail with "database is locked".
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


# SQLSTATEs after which the whole transaction can simply run again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


class RetryTransaction(Exception):
    """Raised inside a unit of work when what it read changed under it; the helper reruns it."""


def is_retryable(error: BaseException) -> bool:
    if isinstance(error, RetryTransaction):
        return True
    if not isinstance(error, DBAPIError):
        return False
    original: BaseException | None = error.orig
    while original is not None:
        if getattr(original, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return True
        original = original.__cause__
    return False


# SQLSTATEs of a statement that ran out of time: query_canceled (the statement timeout) and
# lock_not_available (the lock timeout).
TIMEOUT_SQLSTATES = frozenset({"57014", "55P03"})
# ... and of a database that cannot answer now: a server shutting down or refusing connections,
# too many connections, and every connection exception (class 08).
UNAVAILABLE_SQLSTATES = TIMEOUT_SQLSTATES | {"57P01", "57P02", "57P03", "53300"}
# SQLite: another connection holds the lock past the busy timeout, or the deadline interrupted it.
UNAVAILABLE_SQLITE_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT})


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, what SQLAlchemy wrapped in it and its causes, each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]


def is_timeout(error: BaseException) -> bool:
    """Whether `error` is a statement that ran past its statement or lock timeout (or the
    client's own bound on it): running it again at once would only wait as long again."""
    for current in _chain(error):
        if isinstance(current, TimeoutError) or getattr(current, "sqlstate", None) in TIMEOUT_SQLSTATES:
            return True
        if getattr(current, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT:
            return True
    return False


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database did not answer in time or cannot be reached (a
    statement, lock, pool or connect timeout; a refused, lost or closing connection): the caller
    may retry later. Looks through SQLAlchemy's wrapping and the exception's causes."""
    for current in _chain(error):
        if isinstance(current, PoolTimeout | TimeoutError | ConnectionError):
            return True
        if isinstance(current, OSError) and not isinstance(current, FileNotFoundError | PermissionError):
            return True  # e.g. no route to the host, the name does not resolve
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and (sqlstate in UNAVAILABLE_SQLSTATES or sqlstate.startswith("08")):
            return True
        if getattr(current, "sqlite_errorcode", None) in UNAVAILABLE_SQLITE_CODES:
            return True
        if type(current).__name__ == "InterfaceError" and "connection is closed" in str(current):
            return True  # asyncpg: a statement on a connection the server closed
    return False


async def in_transaction(
    begin: Callable[[], AbstractAsyncContextManager[AsyncConnection]],
    work: Callable[[AsyncConnection], Awaitable[T]],
    *,
    attempts: int = 6,
) -> T:
    """Run `work` in a fresh transaction from `begin()`, rerunning it after a deadlock or
    serialization failure (the transaction rolled back, so nothing half-done remains)."""
    for attempt in range(1, attempts + 1):
        try:
            async with begin() as conn:
                return await work(conn)
        except Exception as error:
            if attempt == attempts or not is_retryable(error):
                raise
            await asyncio.sleep(random.uniform(0, 0.02 * attempt))
    raise AssertionError("unreachable")


async def plan_each_batch(conn: AsyncConnection) -> None:
    """Batch statements carry hundreds of keys; PostgreSQL would soon reuse a generic plan made
    while the tables were still small (a scan where the key index is right), so plan each one."""
    if conn.dialect.name == "postgresql":
        await conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


async def insert_rows(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows that need no RETURNING: PostgreSQL's COPY (binary, through asyncpg) for a
    batch, an executemany INSERT otherwise. Values must already be what the column stores
    (timezone-aware datetimes, JSON documents as Python objects)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < 50:
        await conn.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    # COPY skips SQLAlchemy's client-side defaults (order_count=0, created_at=now, ...): apply them.
    defaults = {
        c.name: c.default.arg if c.default.is_scalar else c.default.arg(None)  # type: ignore[attr-defined]
        for c in table.columns
        if c.name not in columns and c.default is not None and (c.default.is_scalar or c.default.is_callable)
    }
    if defaults:
        rows = [{**defaults, **row} for row in rows]
        columns = list(rows[0])
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    records = [tuple(orjson.dumps(row[c]).decode() if c in json_columns else row[c] for c in columns) for row in rows]
    raw = await conn.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(table.name, records=records, columns=columns)  # type: ignore[union-attr]


async def allocate_ids(conn: AsyncConnection, table: Table, count: int) -> list[int] | None:
    """`count` ids drawn from the table's sequence on PostgreSQL (so rows can be COPYed and
    still be referenced); None elsewhere (insert with RETURNING instead)."""
    if conn.dialect.name != "postgresql" or count < 50:
        return None
    result = await conn.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": table.name, "count": count},
    )
    return [int(i) for i in result.scalars()]


async def insert_with_ids(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows and return their new ids in order: COPY with sequence-drawn ids for a batch on
    PostgreSQL, an executemany INSERT … RETURNING otherwise."""
    if not rows:
        return []
    ids = await allocate_ids(conn, table, len(rows))
    if ids is None:
        returned = await conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), list(rows))
        return [int(i) for i in returned.scalars()]
    await insert_rows(conn, table, [{"id": new_id, **row} for new_id, row in zip(ids, rows, strict=True)])
    return ids
