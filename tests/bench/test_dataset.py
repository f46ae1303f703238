"""bench/dataset.py at a small size: the rows hang together, the schema is the migrations' one
after the indexes are dropped and built again, and the rows do not depend on the schedule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.migrate import drift
from bench import dataset

CUSTOMERS, ORDERS = 400, 4000

SCHEMA = """
SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated
       || ' ' || conindid::regclass::text
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT relname || ' ' || relkind::text || relpersistence::text || ' ' || coalesce(reloptions::text, '')
FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname <> 'bench_dataset'
ORDER BY 1"""


async def _rows(engine: AsyncEngine) -> dict[str, tuple[int, int]]:
    """Per loaded table: its row count and a checksum of its rows (ids included)."""
    out = {}
    async with engine.connect() as conn:
        for table in dataset.TABLES:
            q = f"SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM {table} t"  # noqa: S608
            row: Sequence[Any] = (await conn.exec_driver_sql(q)).one()
            out[table] = (int(row[0]), int(row[1]))
    return out


async def _scalar(engine: AsyncEngine, statement: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.exec_driver_sql(statement)).scalar_one())


@pytest.fixture
def pg_engine(engine: AsyncEngine, backend: str) -> AsyncEngine:
    if backend != "postgresql":
        pytest.skip("bench/dataset.py generates inside PostgreSQL")
    return engine


async def test_a_small_load_hangs_together(pg_engine: AsyncEngine, database_url: str) -> None:
    await dataset.load(database_url, customers=CUSTOMERS, orders=ORDERS, seed=3)
    counts = await dataset.counts(database_url)
    assert counts["customers"] == counts["loyalty_accounts"] == counts["customer_scores"] == CUSTOMERS
    assert counts["tickets"] == CUSTOMERS // 2 and counts["feedback"] == CUSTOMERS
    assert 0.8 * ORDERS < counts["orders"] < 1.2 * ORDERS
    assert CUSTOMERS <= counts["channel_profiles"] <= 4 * CUSTOMERS
    # the customer rows' statistics and the lines add up to the orders
    order_totals = await _scalar(pg_engine, "SELECT sum(total_cents) FROM orders")
    assert await _scalar(pg_engine, "SELECT sum(total_spent_cents) FROM customers") == order_totals
    assert await _scalar(pg_engine, "SELECT sum(quantity * unit_price_cents) FROM order_lines") == order_totals
    assert await _scalar(pg_engine, "SELECT sum(order_count) FROM customers") == counts["orders"]
    orphans = """SELECT (SELECT count(*) FROM order_lines l WHERE NOT EXISTS
                           (SELECT FROM orders o WHERE o.id = l.order_id AND o.customer_id = l.customer_id))
                      + (SELECT count(*) FROM orders o WHERE NOT EXISTS
                           (SELECT FROM channel_profiles p WHERE p.id = o.profile_id AND p.customer_id = o.customer_id))
                      + (SELECT count(*) FROM identifiers i WHERE NOT EXISTS
                           (SELECT FROM channel_profiles p WHERE p.id = i.profile_id))"""
    assert await _scalar(pg_engine, orphans) == 0
    # a new row gets an id past the generated ones
    assert await _scalar(pg_engine, "SELECT nextval('order_lines_id_seq')") > await _scalar(
        pg_engine, "SELECT max(id) FROM order_lines"
    )


async def test_the_schema_is_the_migrations_one_after_a_load(pg_engine: AsyncEngine, database_url: str) -> None:
    async with pg_engine.connect() as conn:
        before = (await conn.exec_driver_sql(SCHEMA)).scalars().all()
    await dataset.load(database_url, customers=CUSTOMERS, orders=ORDERS)
    async with pg_engine.connect() as conn:
        after = (await conn.exec_driver_sql(SCHEMA)).scalars().all()
    assert after == before
    assert [d for d in await drift(pg_engine) if d[:1] != ("remove_table",) or d[1].name != "bench_dataset"] == []


async def test_the_rows_do_not_depend_on_the_schedule(pg_engine: AsyncEngine, database_url: str) -> None:
    await dataset.load(database_url, customers=CUSTOMERS, orders=ORDERS, connections=3)
    first = await _rows(pg_engine)
    await dataset.load(database_url, customers=CUSTOMERS, orders=ORDERS, connections=1)
    assert await _rows(pg_engine) == first
    await dataset.load(database_url, customers=CUSTOMERS, orders=ORDERS, seed=2)
    assert (await _rows(pg_engine))["orders"] != first["orders"]
