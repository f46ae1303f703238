"""Time score refreshes on a large PostgreSQL base: 1M customers, 10M orders (goals: a full
refresh under 60 s, the per-customer refresh after an order under 50 ms).

Makes (or with --reuse keeps) a database `c360_scoring_bench` holding bench/dataset.py's data
set (migrated with Alembic, generated inside PostgreSQL: CDNOW order counts, gaps and values over
two years, 3% RETURNED, a score row per customer). Then, on the real code paths:

- a baseline: `SELECT count(*), sum(total_cents) FROM orders`, what one pass over the orders costs
  on this machine right now (median of 3), so the refresh can be read as a ratio on a loaded box;
- the full refresh (`domain.scoring.refresh.refresh_all`, behind `refreshScores` and
  `c360 refresh-scores`), with the time of each stage from its progress callback;
- the per-customer refresh after an order: the `refresh_scores` job function on one customer id
  (what the job enqueued by `recordOrder` runs), and the whole job run (`jobs.runner.run_job`:
  STARTED, the function, FINISHED) on --samples random customers: median and p95.

    .venv/bin/python -m bench.scoring [--customers 1000000] [--orders 10000000] [--seed 1] [--reuse]
                                      [--repeat 1] [--samples 200] [--as-of 2026-11-01T00:00:00Z]
                                      [--validation-cost]  (the fit with and without the holdout check)

PostgreSQL: C360_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import time

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.migrate import upgrade
from bench import dataset
from bench.dataset import END
from domain.db import make_engine
from domain.scoring.aggregates import load_aggregates
from domain.scoring.compute import fit_model, model_inputs_of
from domain.scoring.refresh import fit_and_validate, refresh_all
from domain.scoring.requests import request_customer_refresh
from jobs.runner import run_job
from jobs.scoring import refresh_scores

NAME = "c360_scoring_bench"
BASELINE = "SELECT count(*), sum(total_cents) FROM orders"


def _base() -> str:
    return os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _url() -> str:
    return dataset.postgres_url(NAME, _base())


async def prepare(customers: int, orders: int, seed: int = 1) -> None:
    """(Re)make the database with bench/dataset.py's data set of this size."""
    seconds = await dataset.ensure(_base(), NAME, customers=customers, orders=orders, seed=seed, reuse=False)
    print(f"  {seconds or 0:7.1f} s  bench/dataset.py load", flush=True)


async def baseline(engine: AsyncEngine) -> float:
    """Median of 3 scans of the orders (the first also warms the cache)."""
    times = []
    for _ in range(3):
        began = time.perf_counter()
        async with engine.connect() as conn:
            await conn.exec_driver_sql(BASELINE)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


async def vacuum_scores() -> None:
    """What autovacuum does between two nightly refreshes (the shared server runs with it off)."""
    engine = create_async_engine(_url(), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("VACUUM ANALYZE customer_scores")
    finally:
        await engine.dispose()


async def full_refresh(engine: AsyncEngine, as_of: dt.datetime) -> tuple[float, dict[str, float], dict[str, object]]:
    """Seconds in all, seconds per stage (first to last progress report of each), the job result."""
    await vacuum_scores()
    began = time.perf_counter()
    marks: dict[str, list[float]] = {}

    def progress(stage: str, _done: int, _total: int) -> None:
        marks.setdefault(stage, []).append(time.perf_counter())

    result = await refresh_all(engine, as_of, progress)
    total = time.perf_counter() - began
    stages = {stage: times[-1] - times[0] for stage, times in marks.items()}
    return total, stages, result


async def per_customer(engine: AsyncEngine, as_of: dt.datetime, samples: int) -> tuple[list[float], list[float]]:
    """Milliseconds of the job function alone, and of the whole job run, per random customer."""
    async with engine.connect() as conn:
        top = int((await conn.exec_driver_sql("SELECT max(id) FROM customers")).scalar_one())
    rng = random.Random(5)
    ids = [rng.randint(1, top) for _ in range(samples)]
    function_ms, run_ms = [], []
    for cid in ids:
        began = time.perf_counter()
        await refresh_scores(engine, 0, {"customerIds": [cid], "asOf": as_of.isoformat()})
        function_ms.append((time.perf_counter() - began) * 1000)
    for cid in ids:
        async with engine.begin() as conn:
            job_id = await request_customer_refresh(conn, cid)
        began = time.perf_counter()
        assert await run_job(engine, job_id) == "FINISHED"
        run_ms.append((time.perf_counter() - began) * 1000)
    return function_ms, run_ms


async def validation_cost(engine: AsyncEngine, as_of: dt.datetime, rounds: int = 2) -> tuple[float, float]:
    """Median seconds of the fit alone and of the fit with the holdout validation beside it, on
    the same aggregates, alternating (so both see the same machine)."""
    async with engine.connect() as conn:
        agg = await load_aggregates(conn, as_of)
    alone, both = [], []
    for _ in range(rounds):
        began = time.perf_counter()
        await asyncio.to_thread(lambda: fit_model(model_inputs_of(agg)))
        alone.append(time.perf_counter() - began)
        began = time.perf_counter()
        await asyncio.to_thread(fit_and_validate, agg)
        both.append(time.perf_counter() - began)
    return statistics.median(alone), statistics.median(both)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def measure(repeat: int, samples: int, as_of: dt.datetime, with_validation_cost: bool = False) -> None:
    engine = make_engine(_url())
    try:
        await upgrade(engine)  # a --reuse database made before a newer revision
        async with engine.connect() as conn:
            customers = (await conn.exec_driver_sql("SELECT count(*) FROM customers")).scalar_one()
            orders = (await conn.exec_driver_sql("SELECT count(*) FROM orders")).scalar_one()
        print(f"{customers} customers, {orders} orders, as of {as_of.isoformat()}", flush=True)
        for run in range(1, repeat + 1):
            scan = await baseline(engine)
            total, stages, result = await full_refresh(engine, as_of)
            parts = "  ".join(f"{stage} {seconds:.1f} s" for stage, seconds in stages.items())
            print(
                f"full refresh {run}: {total:.1f} s = {total / scan:.1f} x baseline scan ({scan:.2f} s)  [{parts}]  "
                f"{result}",
                flush=True,
            )
        if with_validation_cost:
            alone, both = await validation_cost(engine, as_of)
            print(
                f"fit alone {alone:.1f} s, fit with validation {both:.1f} s (x {both / alone:.2f}; median of 2 each)",
                flush=True,
            )
        function_ms, run_ms = await per_customer(engine, as_of, samples)
        for label, values in (("job function", function_ms), ("whole job run", run_ms)):
            print(
                f"per-customer refresh, {label}: median {statistics.median(values):.1f} ms  "
                f"p95 {_p95(values):.1f} ms  max {max(values):.1f} ms  ({len(values)} customers)",
                flush=True,
            )
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="full refreshes to time")
    parser.add_argument("--samples", type=int, default=200, help="customers for the per-customer refresh")
    parser.add_argument("--as-of", default=END.isoformat(), help="ISO time (default: the end of the generated data)")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--fill-only", action="store_true", help="make the database, measure nothing")
    parser.add_argument(
        "--validation-cost", action="store_true", help="also time the fit with and without the holdout validation"
    )
    args = parser.parse_args(argv)
    if not args.reuse:
        print(f"filling {NAME}: {args.customers} customers, {args.orders} orders", flush=True)
        asyncio.run(prepare(args.customers, args.orders, args.seed))
    if not args.fill_only:
        as_of = dt.datetime.fromisoformat(args.as_of.replace("Z", "+00:00"))
        asyncio.run(measure(args.repeat, args.samples, as_of, args.validation_cost))


if __name__ == "__main__":
    main()
