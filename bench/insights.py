"""Time `insights` on a large PostgreSQL base: 1M customers, 10M orders (goal: under 2 s).

Makes (or with --reuse keeps) a database `c360_bench_insights`, migrates it with Alembic and fills
it with bench/dataset.py (generated inside PostgreSQL, CDNOW purchase patterns over two years:
customers on 1-4 channels, orders with lines, scores, feedback, tickets). Then it runs the exact
statements of the `insights` resolver (domain/insights/queries.py, combined by domain/insights/metrics.py)
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

from bench import dataset
from bench.dataset import END  # data spans the two years before this
from domain.db import make_engine
from domain.insights import queries as sql
from domain.insights.metrics import combine

NAME = "c360_bench_insights"


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


async def prepare(customers: int, orders: int) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{NAME}"')
    seconds = await dataset.load(_url(NAME), customers=customers, orders=orders)
    print(f"  loaded in {seconds:.1f} s", flush=True)


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
