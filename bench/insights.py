"""Time `insights` on a large PostgreSQL base: 1M customers, 10M orders (goal: under 2 s).

Makes (or with --reuse keeps) a database `c360_insights_bench` holding bench/dataset.py's data set
(migrated by the real migrations, generated inside PostgreSQL: CDNOW order counts, gaps and
values over two years, 1-4 channels per customer, tickets, feedback, scores, and the purchase-day
rollups filled by the domain's own whole-table selects, which the migration's backfill equals).

It then posts the `insights` query through the real ASGI app and resolver (as an ANALYST) for a
30-day, a 90-day (a quarter) and a 365-day period ending at a UTC midnight, with and without a
channel, and prints the best and median of --repeat runs next to a baseline measured in the same
run, `SELECT count(*) FROM orders`, and their ratio. With --exact it also times the same periods
moved by one second (not whole UTC days: the exact statements over `orders`, which is what
every period cost before the rollup) and checks that the rollup's counts equal the exact ones.

    .venv/bin/python -m bench.insights [--customers 1000000] [--orders 10000000] [--seed 1] [--reuse]
                                       [--repeat 5] [--exact]

PostgreSQL: C360_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres); the
database's name: C360_BENCH_DATABASE (default c360_insights_bench).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.auth import issue_token
from api.logs import configure_logging
from bench import dataset
from bench.dataset import END
from domain.db import make_engine
from domain.insights import queries as sql
from domain.privacy.roles import Role
from domain.settings import Settings

NAME = os.environ.get("C360_BENCH_DATABASE", "c360_insights_bench")
SECRET = secrets.token_urlsafe(32)  # tokens of this run only
QUERY = """query($from: DateTime!, $to: DateTime!, $channel: Channel) {
  insights(from: $from, to: $to, channel: $channel) {
    customers activeCustomers repurchaseRate churnRate averageClv nps csat slaCompliance breachedTickets } }"""
BASELINE = "SELECT count(*) FROM orders"


def _base() -> str:
    return os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def prepare(customers: int, orders: int, name: str = NAME, seed: int = 1) -> None:
    """(Re)make database `name` holding bench/dataset.py's data set of this size (bench/scoring.py
    uses it too)."""
    seconds = await dataset.ensure(_base(), name, customers=customers, orders=orders, seed=seed, reuse=False)
    print(f"  {seconds or 0:7.1f} s  bench/dataset.py load", flush=True)


async def _timed(repeat: int, run: Callable[[], Awaitable[Any]]) -> tuple[list[float], Any]:
    times, answer = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        answer = await run()
        times.append(time.perf_counter() - began)
    return times, answer


def _line(label: str, times: list[float], baseline: float, extra: str = "") -> str:
    median = statistics.median(times)
    return f"{label:32s} best {min(times):6.3f} s  median {median:6.3f} s  x{median / baseline:5.1f} baseline  {extra}"


async def measure(repeat: int, exact: bool) -> None:
    engine = make_engine(dataset.postgres_url(NAME, _base()))
    settings = Settings(
        database_url=dataset.postgres_url(NAME, _base()),
        redis_url=None,
        secret=SECRET,
        default_region="CN",
        blocked_identifiers=None,
        var_dir=Path(tempfile.mkdtemp(prefix="c360-bench-")),
    )
    headers = {"Authorization": f"Bearer {issue_token(SECRET, role=Role.ANALYST, subject='bench')}"}
    configure_logging(logging.WARNING)  # no line per request
    app = create_app(settings=settings, engine=engine)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://c360.bench", timeout=600
        ) as client:

            async def count_orders() -> Any:
                async with engine.connect() as conn:
                    return (await conn.exec_driver_sql(BASELINE)).scalar_one()

            async def insights(start: dt.datetime, end: dt.datetime, channel: str | None) -> dict[str, Any]:
                variables = {"from": start.isoformat(), "to": end.isoformat(), "channel": channel}
                body = await client.post("/graphql", json={"query": QUERY, "variables": variables}, headers=headers)
                data = body.json()
                assert "errors" not in data, data["errors"]
                return data["data"]["insights"]  # type: ignore[no-any-return]

            await count_orders()  # warm the cache once
            before, _ = await _timed(repeat, count_orders)
            baseline = statistics.median(before)
            print(_line(BASELINE, before, baseline), flush=True)
            for days in (30, 90, 365):
                for channel in (None, "STORE"):
                    start, label = END - dt.timedelta(days=days), f"{days:3d} days channel={channel or '-'}"
                    times, answer = await _timed(repeat, partial(insights, start, END, channel))
                    summary = (
                        f"active {answer['activeCustomers']} repurchase {answer['repurchaseRate']:.4f} "
                        f"churn {answer['churnRate']:.4f} customers {answer['customers']}"
                    )
                    print(_line(label, times, baseline, summary), flush=True)
                    if exact:
                        await _exact(engine, repeat, baseline, start, channel, insights)
            after, _ = await _timed(repeat, count_orders)
            print(_line(f"{BASELINE} (again)", after, baseline), flush=True)
    finally:
        await engine.dispose()


async def _exact(
    engine: AsyncEngine,
    repeat: int,
    baseline: float,
    start: dt.datetime,
    channel: str | None,
    insights: Callable[[dt.datetime, dt.datetime, str | None], Awaitable[dict[str, Any]]],
) -> None:
    """The same period moved by a second (the exact statements), and the rollup's counts
    checked against the exact statement's for the whole-day period itself."""
    shift = dt.timedelta(seconds=1)
    times, _ = await _timed(repeat, lambda: insights(start + shift, END + shift, channel))
    print(_line("    moved 1 s (exact statements)", times, baseline), flush=True)
    period = sql.Period(start=start, end=END, channel=channel)
    async with engine.connect() as conn:
        by_day = tuple((await conn.execute(sql.order_activity_by_day(period))).one())
        by_order = tuple((await conn.execute(sql.order_activity_exact(period))).one())
    assert by_day == by_order, (by_day, by_order)
    print(f"    rollup counts = exact counts {by_day}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--exact", action="store_true", help="also time the exact statements and compare counts")
    args = parser.parse_args(argv)
    if not args.reuse:
        print(f"filling {NAME}: {args.customers} customers, {args.orders} orders", flush=True)
        asyncio.run(prepare(args.customers, args.orders, seed=args.seed))
    asyncio.run(measure(args.repeat, args.exact))


if __name__ == "__main__":
    main()
