"""Job test helpers: job kinds registered for a test, and a queue name of its own on real Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from rq import Queue

from jobs.registry import JOBS, JobFunction

REDIS_URL = os.environ.get("C360_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def register() -> Iterator[Any]:
    """register(kind, fn): a job kind for this test only."""
    added: list[str] = []

    def add(kind: str, fn: JobFunction) -> None:
        JOBS[kind] = fn
        added.append(kind)

    yield add
    for kind in added:
        JOBS.pop(kind, None)


@pytest.fixture
def rq_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    """A queue on the test Redis, named per test so parallel runs never collide."""
    name = f"c360-test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("C360_QUEUE", name)
    queue = Queue(name, connection=redis.Redis.from_url(REDIS_URL))
    yield queue
    drop_queue(queue)


def drop_queue(queue: Queue) -> None:
    """Remove the queue, its jobs and its registries (best effort: the server may be gone)."""
    try:
        for registry in (
            queue.scheduled_job_registry,
            queue.started_job_registry,
            queue.failed_job_registry,
            queue.finished_job_registry,
        ):
            for job_id in registry.get_job_ids():
                queue.connection.delete(f"rq:job:{job_id}")
            queue.connection.delete(registry.key)
        queue.delete(delete_jobs=True)
    except redis.exceptions.ConnectionError:
        pass
