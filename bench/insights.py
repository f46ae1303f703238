"""Time `insights` on a large PostgreSQL base: 1M customers, 10M orders (goal: under 2 s).

Makes (or with --reuse keeps) a database `c360_insights_bench`, migrates it with Alembic up to
the revision before the purchase-day rollup, fills it with `generate_series` inside PostgreSQL
(no rows cross the wire): customers created over two years, one profile each on one of 7
channels, orders spread over the same two years (3% RETURNED), a score per customer, 500k
feedback answers and 500k tickets. Then it migrates to the head, so the rollup
`customer_purchase_days` is filled by the migration's own backfill (timed), and VACUUM ANALYZE.

It then posts the `insights` query through the real ASGI app and resolver (as an ANALYST) for a
30-day, a 90-day (a quarter) and a 365-day period ending at a UTC midnight, with and without a
channel, and prints the best and median of --repeat runs next to a baseline measured in the same
run, `SELECT count(*) FROM orders`, and their ratio. With --exact it also times the same periods
moved by one second (not whole UTC days: the exact statements over `orders`, which is what
every period cost before the rollup) and checks that the rollup's counts equal the exact ones.

    .venv/bin/python -m bench.insights [--customers 1000000] [--orders 10000000] [--reuse] [--repeat 5]
                                       [--exact]

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
from alembic.script import ScriptDirectory
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.app import create_app
from api.auth import issue_token
from api.logs import configure_logging
from api.migrate import alembic_config, upgrade
from domain.db import make_engine
from domain.insights import queries as sql
from domain.privacy.roles import Role
from domain.settings import Settings

NAME = os.environ.get("C360_BENCH_DATABASE", "c360_insights_bench")
ROLLUP_REVISION = "0005_insights_rollup"
END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)  # data spans the two years before this
CHANNELS = "ARRAY['WEB','APP','STORE','MINI_PROGRAM','SOCIAL','CALL_CENTER','MARKETPLACE']"
SECRET = secrets.token_urlsafe(32)  # tokens of this run only
QUERY = """query($from: DateTime!, $to: DateTime!, $channel: Channel) {
  insights(from: $from, to: $to, channel: $channel) {
    customers activeCustomers repurchaseRate churnRate averageClv nps csat slaCompliance breachedTickets } }"""
BASELINE = "SELECT count(*) FROM orders"


def _url(database: str) -> str:
    base = os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    return make_url(base).set(drivername="postgresql+asyncpg", database=database).render_as_string(False)


async def _admin(statement: str, database: str = "postgres") -> None:
    engine = create_async_engine(_url(database), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


def _before_rollup() -> str:
    """The revision the rollup migration follows (whatever it is re-chained to)."""
    script = ScriptDirectory.from_config(alembic_config())
    down = script.get_revision(ROLLUP_REVISION).down_revision
    assert isinstance(down, str)
    return down


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


async def prepare(customers: int, orders: int, name: str = NAME) -> None:
    """(Re)make database `name` filled with this generator (bench/scoring.py uses it too)."""
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{name}"')
    engine = make_engine(_url(name))
    try:
        await upgrade(engine, _before_rollup())
        for statement in _fill(customers, orders):
            began = time.perf_counter()
            async with engine.begin() as conn:
                # Bulk load: skip the foreign-key triggers (the generated keys are consistent).
                await conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                await conn.exec_driver_sql(statement)
            print(f"  {time.perf_counter() - began:7.1f} s  {' '.join(statement.split())[:70]}…", flush=True)
        began = time.perf_counter()
        await upgrade(engine)  # the rollup migration backfills customer_purchase_days from these orders
        print(f"  {time.perf_counter() - began:7.1f} s  alembic upgrade head (backfill of the rollup)", flush=True)
    finally:
        await engine.dispose()
    began = time.perf_counter()
    await _admin("VACUUM ANALYZE", name)
    print(f"  {time.perf_counter() - began:7.1f} s  VACUUM ANALYZE", flush=True)


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
    engine = make_engine(_url(NAME))
    settings = Settings(
        database_url=_url(NAME),
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
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--exact", action="store_true", help="also time the exact statements and compare counts")
    args = parser.parse_args(argv)
    if not args.reuse:
        print(f"filling {NAME}: {args.customers} customers, {args.orders} orders", flush=True)
        asyncio.run(prepare(args.customers, args.orders))
    asyncio.run(measure(args.repeat, args.exact))


if __name__ == "__main__":
    main()
