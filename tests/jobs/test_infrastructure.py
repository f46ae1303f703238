"""Job requests, the runner and the relay on real databases and a real Redis."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select, update

from domain.base import utcnow
from domain.errors import InvalidInput
from domain.jobs.requests import jobs, outbox, request_job
from jobs.background import run_due_jobs
from jobs.relay import DispatchUnavailable, Pending, relay_once, requeue_lost
from jobs.rq_queue import rq_dispatcher
from jobs.runner import JobFailed, run_job
from resolvers.common.ids import encode_id


async def _request(engine, kind: str, params: dict[str, Any] | None = None, **kw: Any) -> int:
    async with engine.begin() as conn:
        return await request_job(conn, kind, params or {}, **kw)


async def _job(engine, job_id: int) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(select(jobs).where(jobs.c.id == job_id))).one()


async def _outbox(engine, job_id: int) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(outbox).where(outbox.c.job_id == job_id))).all())


async def test_a_queued_request_with_the_same_dedupe_key_is_reused(engine) -> None:
    first = await _request(engine, "k", {"a": 1}, dedupe_key="refresh:1")
    assert await _request(engine, "k", {"a": 1}, dedupe_key="refresh:1") == first
    assert await _request(engine, "k", {"a": 1}, dedupe_key="refresh:2") != first
    async with engine.begin() as conn:
        await conn.execute(update(jobs).where(jobs.c.id == first).values(status="STARTED"))
    assert await _request(engine, "k", {"a": 1}, dedupe_key="refresh:1") != first  # a running job may miss news
    assert len(await _outbox(engine, first)) == 1


async def test_a_request_rolled_back_with_its_transaction_leaves_nothing(engine) -> None:
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await request_job(conn, "k", {})
            raise RuntimeError("the mutation failed")
    async with engine.connect() as conn:
        assert (await conn.execute(select(jobs.c.id))).first() is None


async def test_a_job_runs_once_and_records_its_result(engine, register, gql) -> None:
    calls: list[dict[str, Any]] = []

    async def echo(_engine, job_id: int, params: dict[str, Any]) -> dict[str, Any]:
        calls.append(params)
        return {"job": job_id, "got": params["n"]}

    register("test.echo", echo)
    job_id = await _request(engine, "test.echo", {"n": 3})
    assert await run_job(engine, job_id) == "FINISHED"
    assert await run_job(engine, job_id) == "FINISHED"  # a duplicate dispatch does not rerun it
    assert len(calls) == 1
    row = await _job(engine, job_id)
    assert row.attempts == 1 and json.loads(row.result) == {"job": job_id, "got": 3}
    data = await gql(
        "query($id: ID!) { job(id: $id) { id kind status enqueuedAt startedAt finishedAt error result } }",
        {"id": encode_id("Job", job_id)},
    )
    shown = data["job"]
    assert shown["status"] == "FINISHED" and shown["kind"] == "test.echo" and shown["error"] is None
    assert shown["startedAt"] <= shown["finishedAt"] and json.loads(shown["result"])["got"] == 3


async def test_a_failing_job_keeps_a_clear_error_without_personal_data(engine, register, gql) -> None:
    async def boom(_engine, _job_id: int, _params: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("cannot parse li.lei@example.com")

    async def refuse(_engine, _job_id: int, _params: dict[str, Any]) -> dict[str, Any]:
        raise InvalidInput("customerIds must not be empty")

    register("test.boom", boom)
    register("test.refuse", refuse)
    failing = await _request(engine, "test.boom")
    with pytest.raises(JobFailed):
        await run_job(engine, failing)
    row = await _job(engine, failing)
    assert row.status == "FAILED" and row.error == "test.boom failed (ValueError)"
    refused = await _request(engine, "test.refuse")
    assert await run_job(engine, refused) == "FAILED"  # a domain error is final: no retry
    data = await gql("query($id: ID!) { job(id: $id) { status error } }", {"id": encode_id("Job", refused)})
    assert data["job"] == {"status": "FAILED", "error": "customerIds must not be empty"}


async def test_embedded_runner_runs_due_jobs_and_retries_failures_later(engine, register) -> None:
    runs = {"n": 0}

    async def flaky(_engine, _job_id: int, _params: dict[str, Any]) -> dict[str, Any]:
        runs["n"] += 1
        if runs["n"] == 1:
            raise ConnectionError("database went away")
        return {"ok": True}

    register("test.flaky", flaky)
    later = await _request(engine, "test.flaky", not_before=utcnow() + dt.timedelta(hours=1))
    assert await run_due_jobs(engine) == 0  # not due yet
    async with engine.begin() as conn:
        await conn.execute(update(outbox).where(outbox.c.job_id == later).values(not_before=None))
    assert await run_due_jobs(engine) == 1
    assert (await _job(engine, later)).status == "FAILED"
    retry = [r for r in await _outbox(engine, later) if r.dispatched_at is None]
    assert len(retry) == 1 and retry[0].not_before > utcnow()  # backed off
    async with engine.begin() as conn:
        await conn.execute(update(outbox).where(outbox.c.job_id == later).values(not_before=None))
    assert await run_due_jobs(engine) == 1
    row = await _job(engine, later)
    assert row.status == "FINISHED" and row.attempts == 2 and row.error is None


async def test_relay_enqueues_to_rq_and_marks_rows_only_after_success(engine, rq_queue) -> None:
    job_id = await _request(engine, "test.any")
    sent = await relay_once(engine, rq_dispatcher(rq_queue))
    assert sent == 1 and rq_queue.job_ids == [f"c360-job-{job_id}"]
    rq_job = rq_queue.fetch_job(f"c360-job-{job_id}")
    assert rq_job is not None and rq_job.args == (job_id,) and rq_job.retries_left == 3
    assert all(r.dispatched_at is not None for r in await _outbox(engine, job_id))
    assert await relay_once(engine, rq_dispatcher(rq_queue)) == 0


async def test_relay_keeps_rows_while_the_queue_is_down(engine) -> None:
    job_id = await _request(engine, "test.any")

    async def down(_pending: Pending) -> None:
        raise DispatchUnavailable("connection refused")

    assert await relay_once(engine, down) == 0
    assert [r.dispatched_at for r in await _outbox(engine, job_id)] == [None]


async def test_a_job_lost_while_started_is_requeued_then_failed_when_out_of_attempts(engine) -> None:
    job_id = await _request(engine, "test.any")
    long_ago = utcnow() - dt.timedelta(hours=2)
    async with engine.begin() as conn:
        await conn.execute(update(outbox).values(dispatched_at=long_ago))
        await conn.execute(update(jobs).values(status="STARTED", started_at=long_ago, attempts=1))
    assert await requeue_lost(engine) == 1
    assert (await _job(engine, job_id)).status == "QUEUED"
    assert [r.dispatched_at for r in await _outbox(engine, job_id)][-1] is None
    async with engine.begin() as conn:
        await conn.execute(update(jobs).values(status="STARTED", started_at=long_ago, attempts=4))
    await requeue_lost(engine)
    row = await _job(engine, job_id)
    assert row.status == "FAILED" and "lost" in row.error
