"""Faults with real Redis and real worker processes: Redis down during a request, a worker
SIGKILLed mid-job. A throwaway redis-server per test (never the shared one) can be killed freely."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from rq import Queue
from rq.scheduler import RQScheduler
from sqlalchemy import func, select

from domain.jobs.requests import jobs, outbox, request_job
from domain.scoring.models import CustomerScore
from domain.scoring.refresh import refresh_all
from jobs.relay import relay_once
from jobs.rq_queue import rq_dispatcher
from tests.conftest import SECRET
from tests.jobs.conftest import drop_queue
from tests.scoring.cdnow import AS_OF, import_cdnow

C360 = str(Path(sys.executable).with_name("c360"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OwnRedis:
    """A redis-server of this test only, on a fixed port so it can be stopped and started again."""

    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.tmp = tmp
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.kill()


def _env(database_url: str, redis_url: str, queue: str, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "C360_QUEUE": queue,
        "C360_SECRET": SECRET,
        "C360_VAR_DIR": str(tmp),
    }


async def _job(engine, job_id: int) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(select(jobs).where(jobs.c.id == job_id))).one()


async def test_a_refresh_requested_while_redis_is_down_runs_when_it_is_back(
    engine, gql, database_url, own_redis, tmp_path, monkeypatch
) -> None:
    await import_cdnow(engine)
    queue_name = f"c360-test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("C360_QUEUE", queue_name)
    own_redis.kill()
    data = await gql(
        "mutation($asOf: DateTime) { refreshScores(asOf: $asOf) { job { id status } errors { code } } }",
        {"asOf": AS_OF},
    )
    assert data["refreshScores"]["errors"] == [] and data["refreshScores"]["job"]["status"] == "QUEUED"
    async with engine.connect() as conn:
        job_id = (await conn.execute(select(jobs.c.id))).scalar_one()
    queue = Queue(queue_name, connection=redis.Redis.from_url(own_redis.url, socket_connect_timeout=0.5))
    assert await relay_once(engine, rq_dispatcher(queue)) == 0  # Redis is down: the row stays
    async with engine.connect() as conn:
        assert (await conn.execute(select(outbox.c.dispatched_at))).scalar_one() is None

    own_redis.start()  # back, empty, on the same port
    assert await relay_once(engine, rq_dispatcher(queue)) == 1
    try:
        await asyncio.to_thread(
            subprocess.run,
            [C360, "worker", "--burst"],
            env=_env(database_url, own_redis.url, queue_name, tmp_path),
            check=True,
            timeout=120,
            capture_output=True,
        )
        row = await _job(engine, job_id)
        assert row.status == "FINISHED" and row.attempts == 1, row.error
        model = (await gql("{ scoringModel { customers bgnbd { r } } }"))["scoringModel"]
        assert model["customers"] == 2357 and model["bgnbd"]["r"] == pytest.approx(0.243, rel=0.01)
    finally:
        drop_queue(queue)


async def _scores(engine) -> list[tuple[Any, ...]]:
    s = CustomerScore.__table__
    async with engine.connect() as conn:
        rows = (await conn.execute(select(s).order_by(s.c.customer_id))).all()
    return [tuple(v for k, v in r._mapping.items() if k not in ("computed_at", "model_id")) for r in rows]


async def test_a_worker_killed_mid_job_is_retried_and_the_retry_scores_right(
    engine, backend, database_url, own_redis, tmp_path
) -> None:
    if backend != "postgresql":
        pytest.skip("worker processes are exercised on PostgreSQL (the production database)")
    await import_cdnow(engine)
    queue_name = f"c360-test-{uuid.uuid4().hex[:10]}"
    env = _env(database_url, own_redis.url, queue_name, tmp_path)
    async with engine.begin() as conn:
        job_id = await request_job(conn, "refresh_scores", {"asOf": AS_OF, "pauseSeconds": 120})
    worker = subprocess.Popen(  # noqa: ASYNC220 (a process that outlives this call)
        [C360, "worker", "--name", f"doomed-{queue_name}"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    queue = Queue(queue_name, connection=redis.Redis.from_url(own_redis.url))
    try:
        deadline = time.monotonic() + 60
        while (await _job(engine, job_id)).status != "STARTED":
            assert time.monotonic() < deadline, "the worker never started the job"
            await asyncio.sleep(0.2)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker, its work horse and its scheduler
        worker.wait()
        assert (await _job(engine, job_id)).status == "STARTED"  # nobody left to finish it

        # RQ's maintenance hands abandoned jobs (heartbeat expired, about a minute after the kill)
        # to their Retry; run that same cleanup as of two minutes from now instead of waiting.
        queue.started_job_registry.cleanup(timestamp=time.time() + 120)
        rq_job = queue.fetch_job(f"c360-job-{job_id}")
        assert rq_job is not None and rq_job.get_status() == "scheduled" and rq_job.retries_left == 2
        # The dead worker's scheduler lock expires 61 s after its last heartbeat: expire it now too.
        queue.connection.delete(RQScheduler.get_locking_key(queue_name))
        await asyncio.sleep(5.5)  # the first retry interval
        await asyncio.to_thread(
            subprocess.run, [C360, "worker", "--burst"], env=env, check=True, timeout=120, capture_output=True
        )
        row = await _job(engine, job_id)
        assert row.status == "FINISHED" and row.attempts == 2, row.error
        after_retry = await _scores(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(CustomerScore.__table__))).scalar() == 2357
        await refresh_all(engine, dt.datetime.fromisoformat(AS_OF))  # the same job once more, cleanly
        assert await _scores(engine) == after_retry  # a second run changes nothing
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        drop_queue(queue)
