"""Database engines: asyncpg for PostgreSQL, aiosqlite for the embedded default."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

import orjson
from sqlalchemy import JSON, Table, event, insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

T = TypeVar("T")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # Parameters are personal values (emails, phones...): keep them out of error messages and logs.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
            # Let SQLAlchemy, not the driver, emit BEGIN (see _sqlite_begin).
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Write transactions take the write lock up front: two deferred transactions that
            # both try to upgrade to writers would otherwise fail with "database is locked".
            if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", False)
    return create_async_engine(url, **kwargs)


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
