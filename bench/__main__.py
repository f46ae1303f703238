"""`./dev bench NAME [ARGS]`: run one benchmark of bench/ (its module docstring says what it
measures). The side-by-side load test against PostGraphile and raw asyncpg is `bench/run`."""

from __future__ import annotations

import importlib
import sys

BENCHES = {
    "dataset": "makes the 1M/10M data set of bench/run (bench/dataset.py)",
    "ingest": "c360 import throughput (bench/ingest.py)",
    "cdnow": "the CDNOW purchases through c360 import (bench/cdnow.py)",
    "execution": "the standard, fast and compiled executors in process (bench/execution.py)",
    "profile": "cProfile of one c360 process serving read a, b or c under wrk (bench/profile.py)",
    "rows": "the CPU of Context.rows per loader statement (bench/rows.py)",
    "scoring": "full and per-customer score refreshes over 1M customers / 10M orders (bench/scoring.py)",
    "insights": "insights over 1M customers / 10M orders (bench/insights.py)",
    "customer360": "the customer 360 against a { viewer { role } } baseline (bench/customer360.py)",
    "redis_down": "the Redis-down scenario of issue 13 (refresh requested, Redis back, worker) N times",
    "desk": "ticketQueue and a quarter of agentStats on 500k tickets / 2M messages (bench/desk.py)",
}


def main() -> None:
    name, *rest = sys.argv[1:] or ["help"]
    if name not in BENCHES:
        print("usage: ./dev bench NAME [ARGS], NAME one of:")
        for known, what in BENCHES.items():
            print(f"  {known:12} {what}")
        raise SystemExit(2)
    importlib.import_module(f"bench.{name}").main(rest)


if __name__ == "__main__":
    main()
