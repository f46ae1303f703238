"""SQLite's statement deadline (domain/db.py): SQLite has no statement timeout of its own, so a
progress handler interrupts a statement past the deadline its start set (each statement sets its
own); a transaction's COMMIT after a pause is not cut short."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sqlalchemy import text

from domain.db import is_timeout, is_unavailable, make_engine
from domain.settings import Timeouts

ENDLESS = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r"


async def test_a_sqlite_statement_past_its_deadline_is_interrupted_and_the_connection_stays_usable(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bounds.db'}", Timeouts(300, 200, 500))
    try:
        async with engine.connect() as conn:
            started = time.monotonic()
            try:
                await conn.execute(text(ENDLESS))
                raise AssertionError("the endless statement returned")
            except Exception as error:
                assert is_timeout(error) and is_unavailable(error), repr(error)
            assert time.monotonic() - started < 3
            await conn.rollback()
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_a_sqlite_transaction_paused_past_the_statement_timeout_still_commits(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'bounds.db'}", Timeouts(200, 200, 500))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE kept (x INTEGER)"))
            await conn.execute(text("INSERT INTO kept VALUES (1)"))
            await asyncio.sleep(0.4)  # the last statement's deadline has passed before COMMIT
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM kept"))).scalar() == 1
    finally:
        await engine.dispose()
