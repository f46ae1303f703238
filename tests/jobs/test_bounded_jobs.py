"""A job that cannot progress fails visibly within its timeout (issue 13 item 10): past its kind's
timeout the run is FAILED with that reason; a statement stuck behind a lock fails with the lock
timeout and the reason, and is retried; the worker's own process stays single-threaded, so the
work horses it forks never inherit a lock held by a thread they do not have."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import time
from typing import Any

import pytest
from sqlalchemy import select, text

from domain.db import make_engine
from domain.jobs.requests import jobs, outbox, request_job
from jobs import registry
from jobs.background import run_due_jobs
from resolvers.common.ids import encode_id

JOB = "query($id: ID!) { job(id: $id) { status error startedAt finishedAt } }"


async def test_a_job_past_its_timeout_is_failed_with_the_reason_and_not_retried(
    engine, register, gql, monkeypatch
) -> None:
    async def stuck(_engine: Any, _job_id: int, _params: dict[str, Any]) -> dict[str, Any]:
        await asyncio.Event().wait()  # never progresses
        return {}

    register("test.stuck", stuck)
    monkeypatch.setitem(registry.TIMEOUTS, "test.stuck", 1)
    async with engine.begin() as conn:
        job_id = await request_job(conn, "test.stuck", {})
    started = time.monotonic()
    assert await run_due_jobs(engine) == 1  # the server's embedded runner
    assert time.monotonic() - started < 5
    shown = (await gql(JOB, {"id": encode_id("Job", job_id)}))["job"]
    assert shown["status"] == "FAILED" and shown["finishedAt"] is not None
    assert shown["error"] == "test.stuck did not finish within its timeout (1 s)"
    async with engine.connect() as conn:  # it would only run as long again: no retry
        assert len((await conn.execute(select(outbox.c.id).where(outbox.c.job_id == job_id))).all()) == 1


async def test_a_refresh_whose_orders_are_locked_fails_within_the_lock_timeout_and_is_retried(
    backend, database_url, settings, gql
) -> None:
    if backend != "postgresql":
        pytest.skip("LOCK TABLE is PostgreSQL's")
    data = await gql("mutation { refreshScores { job { id } errors { code } } }")
    job_gid = data["refreshScores"]["job"]["id"]
    bounded = dataclasses.replace(settings, lock_timeout_ms=300)
    jobs_engine = make_engine(database_url, bounded.job_timeouts)
    holder = make_engine(database_url)
    try:
        async with holder.begin() as conn:
            await conn.execute(text("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            assert await run_due_jobs(jobs_engine, limit=1) == 1
            seconds = time.monotonic() - started
    finally:
        await holder.dispose()
        await jobs_engine.dispose()
    assert seconds < 5, seconds
    shown = (await gql(JOB, {"id": job_gid}))["job"]
    assert shown["status"] == "FAILED"
    assert shown["error"].startswith("refresh_scores failed (")
    assert shown["error"].endswith("(the database was unavailable or a statement ran past its timeout)")
    async with holder.connect() as conn:  # a lock may be gone soon: a retry after the back-off
        retries = (await conn.execute(select(outbox.c.not_before).where(outbox.c.not_before.is_not(None)))).all()
        assert len(retries) == 1
        assert (await conn.execute(select(jobs.c.attempts))).scalar_one() == 1


def test_the_worker_forks_its_work_horses_from_a_single_threaded_process(database_url, tmp_path) -> None:
    """The relay runs in a spawned process of its own; the worker's process keeps one thread."""
    probe = f"""
import threading
from jobs.worker import _load_driver, _relay_process
relay = _relay_process("redis://127.0.0.1:1/0", {database_url!r})
_load_driver({database_url!r})
print(threading.active_count(), relay.is_alive(), relay.pid is not None)
relay.terminate()
relay.join(10)
"""
    env = {"C360_SECRET": "test-secret-not-for-production-0123456789", "C360_VAR_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True, env=env, cwd=tmp_path
    )
    assert out.stdout.split() == ["1", "True", "True"], out.stderr
