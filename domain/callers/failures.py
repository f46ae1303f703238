"""Failed credentials per client address, counted in a window that starts at the first failure
(the database store of api/credential_throttle.py; PostgreSQL or SQLite, one statement each)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.callers.models import CredentialFailures

failures = table_of(CredentialFailures)


async def record_failure(conn: AsyncConnection, client: str, *, now: dt.datetime, window: dt.timedelta) -> None:
    """Count one failure; a window that has ended starts again at `now` (and ended windows of
    every address are dropped, so the table holds only the last `window` of failures)."""
    expired = failures.c.window_started_at <= now - window
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(failures).values(client=client, window_started_at=now, failures=1)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[failures.c.client],
            set_={
                "failures": case((expired, 1), else_=failures.c.failures + 1),
                "window_started_at": case(
                    (expired, literal(now, failures.c.window_started_at.type)), else_=failures.c.window_started_at
                ),
            },
        )
    )
    await conn.execute(delete(failures).where(expired, failures.c.client != client))


async def current_failures(
    conn: AsyncConnection, client: str, *, now: dt.datetime, window: dt.timedelta
) -> tuple[int, dt.datetime] | None:
    """(failures, window start) of the address's window still running at `now`, if any."""
    row = (
        await conn.execute(
            select(failures.c.failures, failures.c.window_started_at).where(
                failures.c.client == client, failures.c.window_started_at > now - window
            )
        )
    ).first()
    return None if row is None else (int(row.failures), row.window_started_at)
