"""Ingest throughput of `c360 import` on generated JSONL (and optionally CDNOW).

    python -m bench ingest [--profiles N] [--orders N] [--pg ADMIN_URL] [--cdnow]

Generates people met on 1-3 channels who share a phone or an email (so identity resolution
really merges), writes `profiles.jsonl` and `orders.jsonl`, and times `c360 import` on each
in a subprocess, twice (the second run must report everything unchanged). With `--pg` it
creates a throwaway PostgreSQL database from the admin URL and drops it afterwards; without,
it uses $DATABASE_URL (default: a throwaway SQLite file).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

CHANNELS = ["WEB", "APP", "STORE", "MINI_PROGRAM", "MARKETPLACE", "CALL_CENTER", "SOCIAL"]


def generate(folder: Path, profiles: int, orders: int, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)
    keys: list[tuple[str, str]] = []
    people = folder / "profiles.jsonl"
    with people.open("wb") as out:
        n = 0
        while len(keys) < profiles:
            phone = f"13{rng.randint(0, 9)}{n:08d}"
            for channel in rng.sample(CHANNELS, rng.randint(1, 3)):
                if len(keys) >= profiles:
                    break
                key = (channel, f"{channel[:2]}-{n:08d}")
                keys.append(key)
                row = {
                    "channel": channel,
                    "externalId": key[1],
                    "displayName": f"Person {n}",
                    "phone": phone,
                    "email": f"p{n}@example.com" if rng.random() < 0.6 else None,
                    "memberCard": f"VIP{n:08d}" if channel == "STORE" else None,
                    "seenAt": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
                    "consents": [{"purpose": "MARKETING", "granted": rng.random() < 0.6}],
                }
                out.write(orjson.dumps({k: v for k, v in row.items() if v is not None}) + b"\n")
            n += 1
    sales = folder / "orders.jsonl"
    with sales.open("wb") as out:
        for k in range(orders):
            channel, buyer = keys[rng.randrange(len(keys))]
            row = {
                "channel": channel,
                "externalId": f"O-{k:09d}",
                "customerExternalId": buyer,
                "placedAt": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T12:00:00Z",
                "lines": [
                    {
                        "sku": f"SKU-{rng.randint(1, 50)}",
                        "name": "Item",
                        "quantity": rng.randint(1, 3),
                        "unitPrice": "59.90",
                    }
                    for _ in range(rng.randint(1, 3))
                ],
            }
            out.write(orjson.dumps(row) + b"\n")
    return people, sales


def run_import(kind: str, path: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the importer process, its summary line)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [sys.executable, "-m", "api.cli", "import", kind, str(path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    summary = [line for line in done.stdout.splitlines() if line.startswith(f"{kind}:")][-1]
    return wall, cpu, summary


def _pg(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.encode())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench ingest")
    parser.add_argument("--profiles", type=int, default=50_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--pg", help="PostgreSQL admin URL: bench in a throwaway database there")
    parser.add_argument("--cdnow", action="store_true", help="also import CDNOW_master.txt as orders")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    database = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.pg:
            database = f"c360_bench_{uuid.uuid4().hex[:8]}"
            _pg(args.pg, f'CREATE DATABASE "{database}"')
            env["DATABASE_URL"] = re.sub(r"/[^/]*$", f"/{database}", args.pg)
            env.setdefault("C360_SECRET", "bench-secret-0123456789-0123456789")
        else:
            env.setdefault("DATABASE_URL", f"sqlite+aiosqlite:///{folder / 'bench.db'}")
        try:
            people, sales = generate(folder, args.profiles, args.orders)
            files = [("profiles", people, args.profiles), ("orders", sales, args.orders)]
            if args.cdnow:
                from bench.cdnow import MASTER, convert

                cdnow = folder / "cdnow.jsonl"
                files.append(("orders", cdnow, convert(MASTER, cdnow)[0]))
            backend = "PostgreSQL" if args.pg else env["DATABASE_URL"].split(":")[0]
            print(f"backend: {backend}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
            for kind, path, lines in files:
                for run in ("first", "again"):
                    wall, cpu, summary = run_import(kind, path, env)
                    print(
                        f"{path.name} ({run}): {lines / wall:,.0f} lines/s wall ({wall:.1f}s), "
                        f"importer CPU {cpu:.1f}s ({lines / cpu:,.0f} lines per CPU-second) | {summary}"
                    )
        finally:
            if database:
                _pg(args.pg, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
