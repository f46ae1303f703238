"""In-process execution time of the read queries: the standard, fast and compiled executors.

Makes a throwaway database (PostgreSQL by default, `--database sqlite` for a file), migrates it,
inserts the uniform data set of tests/bulk.py (every customer with 2 profiles, 12 orders of 2
lines, 3 tickets, 3 feedback, points, scores, consents), then runs, in this one process and
alternating the two executors run by run:

- `viewer`: `{ viewer { role } }`, the fixed cost of a request (no SQL);
- `customer360`: the full customer 360 of tests/customers/graph_queries.py, a different customer
  each run;
- `list50`: `customers(first: 50, filter: {valueTier: HIGH})` with each customer's last 5 orders
  and their lines;

through `schema.execute` with a fresh request context each run (DataLoaders, SQL, masking, the
audit write and every schema extension included; no HTTP). Both executors must answer the same
(checked on every run). It prints, per query and executor, the best and median wall milliseconds,
the median CPU milliseconds of this process (the database server and the other processes of the
machine are not counted), the fields resolved per response (every key of every object in `data`),
CPU microseconds per field, and the ratios to compiled (the default). `--baseline` adds the schema as it was
before (standard executor, strawberry's ParserCache/ValidationCache/limiters); `--no-freeze`
leaves the startup heap to the garbage collector, as the server did before `freeze_startup_heap`.

    .venv/bin/python -m bench.execution [--database postgresql|sqlite] [--customers 500] [--runs 40]
                                        [--role ADMIN] [--baseline] [--no-freeze] [--profile compiled|fast|standard]

(`./dev bench execution ...`.) PostgreSQL: C360_BENCH_POSTGRES_URL
(default postgresql://postgres@127.0.0.1:5432/postgres); the database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.app import freeze_startup_heap
from api.migrate import upgrade
from domain.callers.caller import Caller
from domain.db import make_engine
from domain.privacy.roles import Role
from domain.settings import Settings
from resolvers.common.ids import encode_id
from resolvers.context import Context
from resolvers.schema import build_schema
from tests.bulk import seed_uniform
from tests.customers.graph_queries import CUSTOMER_360

LIST_50 = """
query HighValue($first: Int) {
  customers(first: $first, filter: {valueTier: HIGH}) {
    totalCount
    edges { cursor node {
      id displayName email phone createdAt channels
      scores { valueTier churnRisk }
      loyalty { tier { code } pointsBalance }
      orders(first: 5) { edges { node { id channel placedAt total currency status
        lines { sku name quantity unitPrice } } } }
    } }
  }
}
"""


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)  # wall time of each run
    cpu: list[float] = field(default_factory=list)  # this process's CPU time of each run
    fields: int = 0

    @property
    def best_ms(self) -> float:
        return min(self.seconds) * 1000

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def cpu_median_ms(self) -> float:
        return statistics.median(self.cpu) * 1000


def count_fields(value: Any) -> int:
    """Fields resolved to build `value`: one per key of every object in the tree."""
    if isinstance(value, dict):
        return len(value) + sum(count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 0


def _pg_url(base: str, database: str) -> str:
    return make_url(base).set(drivername="postgresql+asyncpg", database=database).render_as_string(False)


async def _admin(base: str, statement: str) -> None:
    engine = create_async_engine(_pg_url(base, make_url(base).database or "postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


def _settings(url: str, var_dir: Path) -> Settings:
    return Settings(
        database_url=url,
        redis_url=None,
        secret="bench-secret-not-for-production-0123456789",  # noqa: S106
        default_region="CN",
        blocked_identifiers=None,
        var_dir=var_dir,
        query_cost_limit=100_000,
    )


def baseline_schema() -> Any:
    """The schema as it was before the fast path: the standard executor with strawberry's
    ParserCache, ValidationCache (which missed: new rule classes per request) and limiters."""
    from strawberry.extensions import (
        MaxAliasesLimiter,
        MaxTokensLimiter,
        ParserCache,
        QueryDepthLimiter,
        ValidationCache,
    )

    from resolvers.common.cost import CostLimiter
    from resolvers.common.error_shaping import ErrorShaping
    from resolvers.privacy.audit import AuditWriter
    from resolvers.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS

    return build_schema(
        "standard",
        [
            ErrorShaping,
            AuditWriter,
            CostLimiter,
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
        ],
    )


async def _run_once(
    schema: Any, engine: AsyncEngine, settings: Settings, role: Role, query: str, variables: dict[str, Any]
) -> tuple[float, float, Any]:
    ctx = Context(
        engine=engine, settings=settings, caller=Caller(subject="bench", role=role), request_id=uuid.uuid4().hex
    )
    started, cpu = time.perf_counter(), time.process_time()
    try:
        result = await schema.execute(query, variables, context_value=ctx)
    finally:
        await ctx.close()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.errors:
        raise SystemExit(f"the query failed: {[e.formatted for e in result.errors]}")
    return elapsed, cpu, result.data


async def _measure(engine: AsyncEngine, settings: Settings, args: argparse.Namespace) -> None:
    schemas = {executor: build_schema(executor) for executor in ("standard", "fast", "compiled")}
    if args.baseline:
        schemas = {"baseline": baseline_schema(), **schemas}
    if not args.no_freeze:
        freeze_startup_heap()  # as the server does once started
    role = Role(args.role)
    scenarios: dict[str, tuple[str, Callable[[int], dict[str, Any]]]] = {
        "viewer": ("{ viewer { role } }", lambda n: {}),
        "customer360": (CUSTOMER_360, lambda n: {"id": encode_id("Customer", 1 + n % args.customers)}),
        "list50": (LIST_50, lambda n: {"first": 50}),
    }
    if args.profile:
        await _profile(schemas[args.profile], engine, settings, role, scenarios, args)
        return
    print(f"{'query':<12} {'executor':<9} {'best ms':>8} {'median ms':>10} {'cpu ms':>7} {'fields':>7} {'us/field':>9}")
    for name, (query, variables_of) in scenarios.items():
        timings = {executor: Timings() for executor in schemas}
        for n in range(args.warmup + args.runs):
            answers = {}
            for executor, schema in schemas.items():
                elapsed, cpu, data = await _run_once(schema, engine, settings, role, query, variables_of(n))
                answers[executor] = data
                if n >= args.warmup:
                    timings[executor].seconds.append(elapsed)
                    timings[executor].cpu.append(cpu)
                    timings[executor].fields = count_fields(data)
            if any(answer != answers["compiled"] for answer in answers.values()):
                raise SystemExit(f"{name}: the executors answered differently on run {n}")
        for executor, t in timings.items():
            per_field = t.cpu_median_ms * 1000 / t.fields if t.fields else 0.0
            row = f"{name:<12} {executor:<9} {t.best_ms:>8.2f} {t.median_ms:>10.2f} {t.cpu_median_ms:>7.2f}"
            print(f"{row} {t.fields:>7} {per_field:>9.2f}")
        compiled = timings["compiled"]
        for other in [e for e in timings if e != "compiled"]:
            slow = timings[other]
            print(
                f"{name:<12} {other}/compiled: best {slow.best_ms / compiled.best_ms:.2f}x,"
                f" median {slow.median_ms / compiled.median_ms:.2f}x,"
                f" cpu {slow.cpu_median_ms / compiled.cpu_median_ms:.2f}x"
            )


async def _profile(
    schema: Any,
    engine: AsyncEngine,
    settings: Settings,
    role: Role,
    scenarios: dict[str, Any],
    args: argparse.Namespace,
) -> None:
    import cProfile
    import pstats

    for name, (query, variables_of) in scenarios.items():
        for n in range(args.warmup):
            await _run_once(schema, engine, settings, role, query, variables_of(n))
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(args.runs):
            await _run_once(schema, engine, settings, role, query, variables_of(n))
        profiler.disable()
        print(f"== {name} ({args.profile}, {args.runs} runs)")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


@contextlib.asynccontextmanager
async def uniform_database(
    database: str, pg_url: str, customers: int, label: str
) -> AsyncIterator[tuple[AsyncEngine, Settings]]:
    """A throwaway database (PostgreSQL `c360_bench_<label>_<pid>` on `pg_url`, or a SQLite file),
    migrated and filled with `customers` uniform customers (tests/bulk.py), analyzed; dropped after."""
    with tempfile.TemporaryDirectory() as tmp:
        if database == "sqlite":
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        else:
            name = f"c360_bench_{label}_{os.getpid()}"
            await _admin(pg_url, f'CREATE DATABASE "{name}"')
            url = _pg_url(pg_url, name)
        engine = make_engine(url)
        try:
            await upgrade(engine)
            await seed_uniform(engine, customers=customers)
            async with engine.connect() as conn:
                await conn.exec_driver_sql("ANALYZE")
            yield engine, _settings(url, Path(tmp))
        finally:
            await engine.dispose()
            if database != "sqlite":
                await _admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _main(args: argparse.Namespace) -> None:
    async with uniform_database(args.database, args.pg_url, args.customers, "execution") as (engine, settings):
        await _measure(engine, settings, args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench execution", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--pg-url", default=os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--role", default="ADMIN", choices=[r.value for r in Role])
    parser.add_argument("--baseline", action="store_true", help="also time the schema as before (baseline_schema)")
    parser.add_argument("--no-freeze", action="store_true", help="leave the startup heap to the collector")
    executors = ["compiled", "fast", "standard"]
    parser.add_argument("--profile", choices=executors, help="cProfile one executor instead of timing")
    asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
