"""Throughput of the customer-360 query against a trivial baseline, in one run.

Makes a throwaway PostgreSQL database, migrates it, inserts a uniform data set (tests/bulk.py:
every customer with 2 profiles, 12 orders of 2 lines, 3 tickets, 3 feedback, points, scores,
consents), serves it with uvicorn and drives it with `wrk` (a Lua script picks a different
customer per request; `--driver httpx` uses an asyncio client instead), then reports requests/s,
p50 and p99 for `{ viewer { role } }`, the full customer 360 and a 20-customer list.

    .venv/bin/python -m bench.customer360 [--customers 2000] [--duration 10] [--connections 16] [--workers 1]
        [--database NAME]

(`./dev bench customer360 ...` once bench/__main__.py dispatches to it.)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from api.auth import issue_token
from api.migrate import upgrade
from domain.db import make_engine
from domain.privacy.roles import Role
from tests.bulk import seed_uniform
from tests.customers.graph_queries import CUSTOMER_360, CUSTOMER_LIST

BASELINE = "{ viewer { role } }"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failed: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _customer_id(pk: int) -> str:
    return base64.urlsafe_b64encode(f"Customer:{pk}".encode()).decode().rstrip("=")


async def _admin(admin_url: str, sql: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(sql)
    finally:
        await engine.dispose()


async def _prepare(admin_url: str, database_url: str, name: str, customers: int) -> None:
    await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}"')
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        started = time.perf_counter()
        await seed_uniform(engine, customers=customers)
        async with engine.connect() as conn:
            await conn.exec_driver_sql("ANALYZE")
        print(f"seeded {customers} customers in {time.perf_counter() - started:.1f}s")
    finally:
        await engine.dispose()


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit("the server exited while starting")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def _check(base: str, token: str, query: str, variables: dict[str, Any]) -> None:
    response = httpx.post(
        base + "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"the query failed before the run: {body}")


LUA = r"""
local ids = {%(ids)s}
local query = [==[%(query)s]==]
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
local threads = {}
function setup(thread) table.insert(threads, thread) end
failed = 0
local n = math.random(1, #ids)
function request()
  n = n + 1
  local body = '{"query":' .. query .. ',"variables":{"id":"' .. ids[(n %% #ids) + 1] .. '","first":20}}'
  return wrk.format(nil, "/graphql", nil, body)
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then failed = failed + 1 end
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout
  for _, t in ipairs(threads) do bad = bad + t:get("failed") end
  io.write(string.format('BENCH {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"failed":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad))
end
"""


def _wrk(name: str, base: str, token: str, query: str, ids: list[str], duration: int, connections: int) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"ids": ",".join(f'"{i}"' for i in ids), "query": json.dumps(query), "token": token})
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", script.name]
        out = subprocess.run(
            [*command, f"{base}/graphql"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(script.name)
    match = re.search(r"^BENCH (\{.*\})$", out, re.MULTILINE)
    if match is None:
        raise SystemExit("wrk printed no result:\n" + out)
    r = json.loads(match.group(1))
    return Result(name, r["requests"], r["duration_us"] / 1e6, r["p50_us"] / 1000, r["p99_us"] / 1000, r["failed"])


def _httpx(name: str, base: str, token: str, query: str, ids: list[str], duration: int, connections: int) -> Result:
    async def run() -> Result:
        latencies: list[float] = []
        failed = 0
        deadline = time.perf_counter() + duration
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

            async def worker() -> None:
                nonlocal failed
                while time.perf_counter() < deadline:
                    body = {"query": query, "variables": {"id": random.choice(ids), "first": 20}}
                    started = time.perf_counter()
                    response = await client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
                    latencies.append(time.perf_counter() - started)
                    if response.status_code != 200 or b'"errors"' in response.content:
                        failed += 1

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(connections)))
            elapsed = time.perf_counter() - started
        cuts = statistics.quantiles(latencies, n=100)
        return Result(name, len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, failed)

    return asyncio.run(run())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench customer360", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg-url", default=os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8360)
    parser.add_argument("--driver", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", default=f"c360_bench_{os.getpid()}", help="name of the throwaway database")
    args = parser.parse_args(argv)

    admin = make_url(args.pg_url).set(drivername="postgresql+asyncpg")
    name = args.database
    admin_url = admin.render_as_string(hide_password=False)
    database_url = admin.set(database=name).render_as_string(hide_password=False)
    asyncio.run(_prepare(admin_url, database_url, name, args.customers))

    secret = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "C360_SECRET": secret,
        "C360_VAR_DIR": tempfile.mkdtemp(),
        # One caller drives all the load: lift the per-caller cost rate limit (where there is one).
        "C360_RATE_LIMIT_PER_SECOND": "1000000000",
        "C360_RATE_LIMIT_BURST": "1000000000",
    }
    env.pop("REDIS_URL", None)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(args.port),
         "--workers", str(args.workers), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        _wait_until_up(base, server)
        token = issue_token(secret, role=Role.ADMIN, subject="bench", ttl_seconds=3600)
        sample = random.Random(7).sample(range(1, args.customers + 1), min(500, args.customers))
        ids = [_customer_id(pk) for pk in sample]
        _check(base, token, CUSTOMER_360, {"id": ids[0]})
        drive = _wrk if args.driver == "wrk" else _httpx
        scenarios = [("baseline { viewer { role } }", BASELINE), ("customer 360", CUSTOMER_360),
                     ("customers(first: 20) nested", CUSTOMER_LIST)]  # fmt: skip
        drive("warm-up", base, token, CUSTOMER_360, ids, 2, args.connections)
        results = [drive(label, base, token, q, ids, args.duration, args.connections) for label, q in scenarios]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    print(
        f"\n{args.customers} customers, {args.driver}, {args.connections} connections, {args.workers} worker(s), "
        f"{args.duration}s per scenario, {os.cpu_count()} CPUs"
    )
    print(f"{'scenario':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7} {'vs baseline':>12}")
    for r in results:
        ratio = r.rps / results[0].rps if results[0].rps else 0.0
        print(f"{r.name:32} {r.rps:9.1f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.failed:7d} {ratio:11.2f}x")
    if any(r.failed for r in results):
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main(sys.argv[1:])
