"""Per-statement cost of `Context.rows`: the CPU of this process per loader statement.

Makes a throwaway database (PostgreSQL by default, `--database sqlite` for a file), migrates it
and inserts the uniform data set of tests/bulk.py (as bench/execution.py), then runs the main
loader statements of the customer 360 and the 50-customer list, each `--runs` times on one
request context (one connection, as a request has), and prints per statement the median CPU
microseconds of this process per call (the database server is not counted), the median wall
microseconds and the rows returned. Statements alternate call by call, so a change of machine
load falls on all of them alike.

    .venv/bin/python -m bench.rows [--database postgresql|sqlite] [--customers 500] [--runs 400]

PostgreSQL: C360_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres); the
database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Executable

from bench.execution import uniform_database
from domain.base import utcnow
from domain.callers.caller import Caller
from domain.customers import queries as customer_sql
from domain.customers.facts import ACCOUNTS_WITH_SCORES_BY_CUSTOMER_IDS
from domain.loyalty.queries import account_params
from domain.orders import queries as order_sql
from domain.privacy.queries import CURRENT_CONSENTS_BY_CUSTOMER_IDS
from domain.privacy.roles import Role
from resolvers.context import Context

Case = tuple[str, Callable[[int], tuple[Executable, dict[str, Any]]]]


def cases(customers: int) -> list[Case]:
    """(name, n -> (statement, params)): a different set of keys on each call `n`."""

    def one(n: int) -> list[int]:
        return [1 + n % customers]

    def fifty(n: int) -> list[int]:
        return [1 + (n + i) % customers for i in range(50)]

    def orders(n: int, k: int) -> list[int]:
        return [1 + (n * 12 + i) % (customers * 12) for i in range(k)]  # 12 orders per customer

    return [
        ("customers by ids (1)", lambda n: (customer_sql.CUSTOMERS_BY_IDS, {"ids": one(n)})),
        ("customers by ids (50)", lambda n: (customer_sql.CUSTOMERS_BY_IDS, {"ids": fifty(n)})),
        ("profiles by customer ids (1)", lambda n: (customer_sql.PROFILES_BY_CUSTOMER_IDS, {"ids": one(n)})),
        ("profiles by customer ids (50)", lambda n: (customer_sql.PROFILES_BY_CUSTOMER_IDS, {"ids": fifty(n)})),
        ("identifiers by customer ids (50)", lambda n: (customer_sql.IDENTIFIERS_BY_CUSTOMER_IDS, {"ids": fifty(n)})),
        ("orders page 11 (1 customer)", lambda n: order_sql.ORDER_PAGES.page(one(n), (), None, 11)),
        ("orders page 6 (50 customers)", lambda n: order_sql.ORDER_PAGES.page(fifty(n), (), None, 6)),
        ("lines by order ids (10)", lambda n: (order_sql.LINES_BY_ORDER_IDS, {"ids": orders(n, 10)})),
        ("lines by order ids (250)", lambda n: (order_sql.LINES_BY_ORDER_IDS, {"ids": orders(n, 250)})),
        (
            "accounts with scores (50)",
            lambda n: (ACCOUNTS_WITH_SCORES_BY_CUSTOMER_IDS, account_params(fifty(n), utcnow())),
        ),
        ("consents by customer ids (50)", lambda n: (CURRENT_CONSENTS_BY_CUSTOMER_IDS, {"ids": fifty(n)})),
    ]


async def _measure(ctx: Context, runs: int, customers: int) -> None:
    todo = cases(customers)
    cpu: dict[str, list[float]] = {name: [] for name, _ in todo}
    wall: dict[str, list[float]] = {name: [] for name, _ in todo}
    rows: dict[str, int] = {}
    for n in range(runs + 20):  # the first 20 calls warm every cache up
        for name, make in todo:
            statement, params = make(n)
            started, cpu_started = time.perf_counter(), time.process_time()
            found = await ctx.rows(statement, params)
            elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu_started
            if n >= 20:
                cpu[name].append(cpu_used)
                wall[name].append(elapsed)
                rows[name] = len(found)
    print(f"{'statement':<34} {'cpu us':>8} {'wall us':>8} {'rows':>5}")
    for name, _ in todo:
        median_cpu, median_wall = statistics.median(cpu[name]) * 1e6, statistics.median(wall[name]) * 1e6
        print(f"{name:<34} {median_cpu:>8.0f} {median_wall:>8.0f} {rows[name]:>5}")


async def _main(args: argparse.Namespace) -> None:
    async with uniform_database(args.database, args.pg_url, args.customers, "rows") as (engine, settings):
        ctx = Context(
            engine=engine,
            settings=settings,
            caller=Caller(subject="bench", role=Role.ADMIN),
            request_id=uuid.uuid4().hex,
        )
        try:
            await _measure(ctx, args.runs, args.customers)
        finally:
            await ctx.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench rows", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--pg-url", default=os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--runs", type=int, default=400)
    asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
