"""Time `insights` on a large PostgreSQL base: 1M customers, 10M orders (goal: under 2 s).

Makes (or with --reuse keeps) a database `c360_bench_insights`, migrates it with Alembic and fills
it with `generate_series` inside PostgreSQL (no rows cross the wire): customers created over two
years, one profile each on one of 7 channels, orders spread over the same two years (3% RETURNED),
a score per customer, 500k feedback answers and 500k tickets. Then it runs the exact statements
of the `insights` resolver (domain/insights/queries.py, combined by domain/insights/metrics.py)
for a 30-day, a 90-day and a 365-day period, with and without a channel, and prints the best and
median of --repeat runs.

    .venv/bin/python -m bench.insights [--customers 1000000] [--orders 10000000] [--reuse] [--repeat 5]
                                       [--covering-index]

PostgreSQL: C360_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import time

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.migrate import upgrade
from domain.db import make_engine
from domain.insights import queries as sql
from domain.insights.metrics import combine

NAME = "c360_bench_insights"
END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)  # data spans the two years before this
CHANNELS = "ARRAY['WEB','APP','STORE','MINI_PROGRAM','SOCIAL','CALL_CENTER','MARKETPLACE']"


def _url(database: str) -> str:
    base = os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    return make_url(base).set(drivername="postgresql+asyncpg", database=database).render_as_string(False)


async def _admin(statement: str) -> None:
    engine = create_async_engine(_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


_INDEX_NAME = "ix_bench_orders_placed_cover"
COVERING_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {_INDEX_NAME} ON orders (placed_at) INCLUDE (customer_id, status, channel)"
)
"""A candidate migration: lets the order statement of `insights` read only the index."""


async def _with_database(statement: str) -> None:
    engine = create_async_engine(_url(NAME), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(statement)
            await conn.exec_driver_sql("VACUUM ANALYZE orders")
    finally:
        await engine.dispose()


def _fill(customers: int, orders: int) -> list[str]:
    start = f"TIMESTAMPTZ '{(END - dt.timedelta(days=730)).isoformat()}'"
    return [
        f"""INSERT INTO customers (id, created_at, updated_at, order_count, total_spent_cents)
            SELECT g, {start} + (g::float / {customers}) * INTERVAL '700 days',
                   {start} + (g::float / {customers}) * INTERVAL '700 days', 0, 0
            FROM generate_series(1, {customers}) g""",
        f"""INSERT INTO channel_profiles (id, customer_id, channel, external_id, first_seen_at, last_seen_at)
            SELECT g, g, ({CHANNELS})[1 + g % 7], 'P' || g, c.created_at, c.created_at
            FROM generate_series(1, {customers}) g JOIN customers c ON c.id = g""",
        f"""INSERT INTO orders (id, customer_id, profile_id, channel, external_id, placed_at, total_cents,
                                currency, status)
            SELECT g, k, k, ({CHANNELS})[1 + k % 7], 'O' || g,
                   {start} + random() * INTERVAL '730 days', 1000 + (g::bigint * 7919) % 90000, 'CNY',
                   CASE WHEN g % 33 = 0 THEN 'RETURNED' ELSE 'PLACED' END
            FROM (SELECT g, 1 + ((g::bigint * 2654435761) % {customers}) AS k
                  FROM generate_series(1, {orders}) g) s""",
        f"""INSERT INTO customer_scores (customer_id, as_of, computed_at, historic_cents, predicted_12m_cents,
                                         expected_purchases_12m, probability_alive, churn_risk, lifecycle_stage,
                                         value_tier)
            SELECT g, now(), now(), 0, (g::bigint * 104729) % 500000, 1.0, 0.8, 0.2, 'GROWING',
                   CASE WHEN g % 5 = 0 THEN 'HIGH' ELSE 'LOW' END
            FROM generate_series(1, {customers}) g""",
        f"""INSERT INTO feedback (customer_id, kind, score, channel, submitted_at)
            SELECT 1 + g % {customers}, CASE WHEN g % 2 = 0 THEN 'NPS' ELSE 'CSAT' END,
                   CASE WHEN g % 2 = 0 THEN g % 11 ELSE 1 + g % 10 END, ({CHANNELS})[1 + g % 7],
                   {start} + random() * INTERVAL '730 days'
            FROM generate_series(1, {customers // 2}) g""",
        f"""INSERT INTO tickets (customer_id, category, requested_priority, priority, status, channel, subject,
                                 opened_at, first_response_at, resolved_at, first_response_due_at,
                                 resolution_due_at)
            SELECT 1 + g % {customers}, 'SERVICE', 'NORMAL', 'NORMAL', 'RESOLVED', ({CHANNELS})[1 + g % 7], 'bench',
                   o, o + (g % 180) * INTERVAL '1 minute', o + (g % 3000) * INTERVAL '1 minute',
                   o + INTERVAL '2 hours', o + INTERVAL '48 hours'
            FROM (SELECT g, {start} + random() * INTERVAL '730 days' AS o
                  FROM generate_series(1, {customers // 2}) g) s""",
        "SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers))",
        "SELECT setval(pg_get_serial_sequence('channel_profiles', 'id'), (SELECT max(id) FROM channel_profiles))",
        "SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders))",
    ]


async def prepare(customers: int, orders: int) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{NAME}"')
    engine = make_engine(_url(NAME))
    try:
        await upgrade(engine)
        for statement in _fill(customers, orders):
            began = time.perf_counter()
            async with engine.begin() as conn:
                # Bulk load: skip the foreign-key triggers (the generated keys are consistent).
                await conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                await conn.exec_driver_sql(statement)
            print(f"  {time.perf_counter() - began:7.1f} s  {' '.join(statement.split())[:70]}…", flush=True)
    finally:
        await engine.dispose()
    await _admin("SELECT 1")
    engine = create_async_engine(_url(NAME), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.exec_driver_sql("VACUUM ANALYZE")
    await engine.dispose()


async def insights_once(engine: AsyncEngine, period: sql.Period) -> tuple[float, object]:
    began = time.perf_counter()
    async with engine.connect() as conn:
        rows = [
            (await conn.execute(statement)).one()
            for statement in (
                sql.customer_base(period),
                sql.order_activity(period),
                sql.feedback_scores(period),
                sql.ticket_service(period, END),
            )
        ]
    metrics = combine(*rows)
    return time.perf_counter() - began, metrics


async def measure(repeat: int) -> None:
    engine = make_engine(_url(NAME))
    try:
        for days in (30, 90, 365):
            for channel in (None, "STORE"):
                period = sql.Period(start=END - dt.timedelta(days=days), end=END, channel=channel)
                times, metrics = [], None
                for _ in range(repeat):
                    seconds, metrics = await insights_once(engine, period)
                    times.append(seconds)
                print(
                    f"{days:4d} days channel={channel or '-':6s} best {min(times):6.3f} s  "
                    f"median {statistics.median(times):6.3f} s  {metrics}",
                    flush=True,
                )
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument(
        "--covering-index",
        action="store_true",
        help=f"add the candidate index `{COVERING_INDEX.split(' ON ')[0].split()[-1]}` before measuring",
    )
    args = parser.parse_args(argv)
    if not args.reuse:
        print(f"filling {NAME}: {args.customers} customers, {args.orders} orders", flush=True)
        asyncio.run(prepare(args.customers, args.orders))
    asyncio.run(_with_database(COVERING_INDEX if args.covering_index else f"DROP INDEX IF EXISTS {_INDEX_NAME}"))
    asyncio.run(measure(args.repeat))


if __name__ == "__main__":
    main()
