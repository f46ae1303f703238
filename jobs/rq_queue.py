"""RQ plumbing: the queue, and the relay's dispatcher that enqueues `run_job_sync(job_id)`."""

from __future__ import annotations

import asyncio
import os

import redis
from rq import Queue, Retry

from jobs.registry import timeout_of
from jobs.relay import Dispatch, DispatchUnavailable, Pending
from jobs.runner import MAX_ATTEMPTS, RETRY_INTERVALS, run_job_sync

# Past a run's timeout, what RQ waits more before it kills the work horse.
RQ_GRACE_SECONDS = 60


def queue_name() -> str:
    """The RQ queue of this deployment (`C360_QUEUE`, default `c360`); tests use one per run."""
    return os.environ.get("C360_QUEUE", "c360")


def connect(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=10)


def make_queue(redis_url: str) -> Queue:
    return Queue(queue_name(), connection=connect(redis_url))


def rq_job_id(pending: Pending) -> str:
    """`c360-job-<id>` for the first dispatch; a requeued job gets a fresh RQ id per outbox row."""
    if pending.attempts == 0:
        return f"c360-job-{pending.job_id}"
    return f"c360-job-{pending.job_id}-{pending.outbox_id}"


def enqueue(queue: Queue, pending: Pending) -> None:
    queue.enqueue(
        run_job_sync,
        pending.job_id,
        job_id=rq_job_id(pending),
        retry=Retry(max=MAX_ATTEMPTS - 1, interval=list(RETRY_INTERVALS)),
        # RQ kills the work horse only after the run's own bound (jobs/runner.py) recorded why.
        job_timeout=timeout_of(pending.kind) + RQ_GRACE_SECONDS,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
        description=f"c360 job {pending.job_id} ({pending.kind})",
    )


def rq_dispatcher(queue: Queue) -> Dispatch:
    async def dispatch(pending: Pending) -> None:
        try:
            await asyncio.to_thread(enqueue, queue, pending)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            raise DispatchUnavailable(str(exc)) from exc

    return dispatch
