"""The Redis-down scenario of issue 13 item 10, run N times in a row with real processes.

Each run: a `c360 serve` (REDIS_URL set, so its relay hands jobs to RQ) on a database of 200
seeded customers; this script's own redis-server is stopped, `refreshScores` is requested over
HTTP (the outbox keeps it), the redis-server is started again (empty, same port), then a
`c360 worker` (not burst: with its relay and the RQ scheduler, as in production) is
started and the job is polled over HTTP until FINISHED or FAILED, or the run's deadline passes.
A run that reaches neither is a hang. Never the shared Redis or PostgreSQL server: the
redis-server is this script's, the database a fresh one (a throwaway database on the test
PostgreSQL, or a SQLite file).

    ./dev bench redis_down [--runs 20] [--backend postgresql|sqlite] [--deadline 120]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from api.auth import issue_token
from domain.privacy.roles import Role

C360 = str(Path(sys.executable).with_name("c360"))
SECRET = "redis-down-scenario-secret-0123456789abcdef"  # noqa: S105 (a throwaway server's)
PG_ADMIN_URL = os.environ.get("C360_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REFRESH = "mutation { refreshScores { job { id status } errors { code message } } }"
JOB = "query($id: ID!) { job(id: $id) { status error startedAt finishedAt } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OwnRedis:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.tmp = tmp
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.tmp)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        for _ in range(200):
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


async def _pg_admin(sql: str) -> None:
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+asyncpg")
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(sql)
    finally:
        await engine.dispose()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (RQ's work horses start sessions of their own)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None and proc.poll() is None:
        for child in _children(proc.pid):  # a hung work horse would outlive its worker
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def one_run(api: httpx.Client, own: OwnRedis, env: dict[str, str], tmp: Path, deadline: float) -> dict[str, Any]:
    own.stop()
    payload = api.post("/graphql", json={"query": REFRESH}).json()["data"]["refreshScores"]
    job_id = payload["job"]["id"]
    own.start()  # back, empty, on the same port
    log = (tmp / f"worker-{uuid.uuid4().hex[:6]}.log").open("wb")
    worker = subprocess.Popen([C360, "worker"], env=env, stdout=log, stderr=log, start_new_session=True)
    started = time.monotonic()
    status, error = "QUEUED", None
    try:
        while time.monotonic() - started < deadline:
            job = api.post("/graphql", json={"query": JOB, "variables": {"id": job_id}}).json()["data"]["job"]
            status, error = job["status"], job["error"]
            if status in ("FINISHED", "FAILED"):
                break
            time.sleep(0.25)
    finally:
        _stop(worker)
        log.close()
    return {"status": status, "error": error, "seconds": round(time.monotonic() - started, 2), "log": log.name}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench redis_down")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--deadline", type=float, default=120, help="seconds a run may take before it counts as hung")
    parser.add_argument("--customers", type=int, default=200)
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="c360-redis-down-"))
    name = f"c360_redis_down_{uuid.uuid4().hex[:8]}"
    if args.backend == "postgresql":
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        database_url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    else:
        database_url = f"sqlite+aiosqlite:///{tmp / 'c360.db'}"
    own = OwnRedis(tmp)
    own.start()
    queue = f"c360-redis-down-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": own.url,
        "C360_QUEUE": queue,
        "C360_SECRET": SECRET,
        "C360_VAR_DIR": str(tmp),
    }
    port = free_port()
    server: subprocess.Popen[bytes] | None = None
    results: list[dict[str, Any]] = []
    try:
        subprocess.run([C360, "seed", "--customers", str(args.customers)], env=env, check=True, capture_output=True)
        server_log = (tmp / "server.log").open("wb")
        server = subprocess.Popen(
            [C360, "serve", "--port", str(port), "--no-access-log"],
            env=env,
            stdout=server_log,
            stderr=server_log,
            start_new_session=True,
        )
        _wait_http(f"http://127.0.0.1:{port}/healthz")
        headers = {"Authorization": f"Bearer {issue_token(SECRET, role=Role.ADMIN, subject='scenario')}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as api:
            for run in range(1, args.runs + 1):
                result = one_run(api, own, env, tmp, args.deadline)
                results.append(result)
                print(f"run {run:2}: {result['status']:8} in {result['seconds']:6.2f} s  {result['error'] or ''}")
                sys.stdout.flush()
    finally:
        _stop(server)
        own.stop()
        if args.backend == "postgresql":
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finished = sum(r["status"] == "FINISHED" for r in results)
    failed = sum(r["status"] == "FAILED" for r in results)
    hung = len(results) - finished - failed
    seconds = sorted(r["seconds"] for r in results)
    print(
        f"{len(results)} runs on {args.backend}: {finished} FINISHED, {failed} FAILED, {hung} hung "
        f"(past {args.deadline:.0f} s); seconds min {seconds[0]:.2f} median {seconds[len(seconds) // 2]:.2f} "
        f"max {seconds[-1]:.2f}; logs in {tmp}"
    )
    if hung or failed:
        raise SystemExit(1)
