"""The rate limit as clients see it: RateLimit-* headers with what is left and when the budget
is full again, on answers and refusals; with REDIS_URL one budget per caller across processes
(two apps, each with its own Redis client, stand for two workers); without Redis the process's
own buckets still decide."""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import httpx
import pytest

from api.app import create_app
from domain.privacy.roles import Role
from tests.conftest import token

REDIS_URL = os.environ.get("C360_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
QUERY = {"query": "{ customers(first: 20) { totalCount } }"}  # costs 21


def _caller() -> dict[str, str]:
    return {"Authorization": f"Bearer {token(Role.ANALYST, subject=f'rl-{uuid.uuid4().hex}')}"}


@pytest.fixture
async def apps(engine, settings) -> AsyncIterator[Callable[..., Awaitable[httpx.AsyncClient]]]:
    """Makes clients of new apps whose callers may spend 30 points, refilled at 1 a second."""
    async with AsyncExitStack() as stack:

        async def make(redis_url: str | None) -> httpx.AsyncClient:
            tight = dataclasses.replace(settings, rate_limit_burst=30, rate_limit_per_second=1.0, redis_url=redis_url)
            transport = httpx.ASGITransport(app=create_app(settings=tight, engine=engine))
            return await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://c360.test"))

        yield make


async def test_answers_and_refusals_carry_the_budget_left(apps) -> None:
    client = await apps(None)
    caller = _caller()
    first = await client.post("/graphql", json=QUERY, headers=caller)
    assert first.status_code == 200
    assert first.headers["ratelimit-limit"] == "30" and first.headers["ratelimit-remaining"] == "9"
    assert 20 <= int(first.headers["ratelimit-reset"]) <= 21 and first.headers["ratelimit-policy"] == "30;w=30"
    refused = await client.post("/graphql", json=QUERY, headers=caller)
    assert refused.status_code == 429 and refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["ratelimit-remaining"]) in (9, 10) and int(refused.headers["retry-after"]) >= 11


async def test_with_redis_every_process_draws_on_one_budget(apps) -> None:
    worker_a, worker_b = await apps(REDIS_URL), await apps(REDIS_URL)
    caller = _caller()
    assert (await worker_a.post("/graphql", json=QUERY, headers=caller)).status_code == 200
    refused = await worker_b.post("/graphql", json=QUERY, headers=caller)  # the same caller, another process
    assert refused.status_code == 429 and int(refused.headers["ratelimit-remaining"]) < 21
    assert (await worker_b.post("/graphql", json=QUERY, headers=_caller())).status_code == 200  # others are not


async def test_without_redis_answering_the_process_still_limits(apps) -> None:
    client = await apps("redis://127.0.0.1:1/0")  # nothing listens there
    caller = _caller()
    assert (await client.post("/graphql", json=QUERY, headers=caller)).status_code == 200
    assert (await client.post("/graphql", json=QUERY, headers=caller)).status_code == 429
