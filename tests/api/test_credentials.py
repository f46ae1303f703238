"""Credentials (contract "Trust"), attacked over HTTP: a JWT needs a numeric `exp` at most 30 days
after `iat`; API keys are verified off the event loop at the same cost whether their prefix
exists or not; repeated failed credentials from one address answer 429 with Retry-After, counted
in state every server process shares (the database, or Redis when configured)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import statistics
import threading
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from api import api_keys
from api.api_keys import create_api_key
from api.app import create_app
from api.auth import issue_token
from domain.privacy.roles import Role
from domain.settings import Settings
from tests.conftest import SECRET

VIEWER = {"query": "{ viewer { subject role } }"}
DAY = 24 * 3600
REDIS_URL = os.environ.get("C360_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def signed(**claims: Any) -> str:
    return jwt.encode({"sub": "mallory", "role": "ADMIN", **claims}, SECRET, algorithm="HS256")


async def viewer(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await client.post("/graphql", json=VIEWER, headers=headers)


@pytest.fixture
async def app_client(engine, settings) -> AsyncIterator[Any]:
    """Clients of one app (or of two apps on one database: two server processes), each with
    its own client address."""
    opened: list[tuple[httpx.AsyncClient, Any]] = []

    def make(address: str, settings_: Settings = settings) -> httpx.AsyncClient:
        app = create_app(settings=settings_, engine=engine)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 1)), base_url="http://c360.test"
        )
        opened.append((client, app))
        return client

    yield make
    for client, app in opened:
        await client.aclose()
        await app.state.credential_guard.aclose()


async def test_tokens_without_a_numeric_exp_within_30_days_of_iat_are_401(app_client, settings) -> None:
    client = app_client("192.0.2.1", dataclasses.replace(settings, auth_failure_limit=1000))
    now = int(time.time())
    attacks = {
        "exp as a string": signed(iat=now, exp=str(now + 3600)),
        "exp as a boolean": signed(iat=now, exp=True),
        "no exp": signed(iat=now),
        "no iat": signed(exp=now + 3600),
        "31 years ahead": signed(iat=now, exp=now + 31 * 365 * DAY),
        "30 days and a second": signed(iat=now, exp=now + 30 * DAY + 1),
        "iat in the future": signed(iat=now + 20 * 365 * DAY, exp=now + 20 * 365 * DAY + 3600),
        "a subject no column holds": signed(iat=now, exp=now + 3600, sub="s" * 201),
        "a NUL in the subject": signed(iat=now, exp=now + 3600, sub="mal\u0000lory"),
        "a purpose no column holds": signed(iat=now, exp=now + 3600, purpose="p" * 101),
    }
    for attack, token in attacks.items():
        response = await viewer(client, Authorization=f"Bearer {token}")
        assert response.status_code == 401, attack
        assert "data" not in response.json(), attack
    longest = await viewer(client, Authorization=f"Bearer {signed(iat=now, exp=now + 30 * DAY)}")
    assert longest.status_code == 200 and longest.json()["data"]["viewer"]["subject"] == "mallory"
    issued = await viewer(client, Authorization=f"Bearer {issue_token(SECRET, role=Role.ADMIN, subject='a')}")
    assert issued.status_code == 200
    long_purpose = {"X-C360-Purpose": "p" * 101}  # the audit entry could not hold it
    assert (
        await viewer(client, Authorization=f"Bearer {signed(iat=now, exp=now + 60)}", **long_purpose)
    ).status_code == 401


async def test_a_bad_api_key_costs_one_argon2_off_the_event_loop_whether_its_prefix_exists_or_not(
    engine, app_client, settings, monkeypatch
) -> None:
    client = app_client("192.0.2.10", dataclasses.replace(settings, auth_failure_limit=1000))
    key = await create_api_key(engine, name="acme", role=Role.PARTNER)
    _, prefix, secret = key.split("_", 2)
    verified: list[tuple[bool, str]] = []
    matches = api_keys._matches

    def spy(key_hash: str | None, candidate: str) -> bool:
        verified.append((key_hash is not None, threading.current_thread().name))
        return matches(key_hash, candidate)

    monkeypatch.setattr(api_keys, "_matches", spy)
    real_prefix, unknown_prefix = f"c360_{prefix}_{secret[:-2]}xx", f"c360_{'0' * 12}_{secret}"
    timings: dict[str, list[float]] = {real_prefix: [], unknown_prefix: []}
    for _ in range(5):
        for wrong in timings:
            started = time.perf_counter()
            assert (await viewer(client, **{"X-API-Key": wrong})).status_code == 401
            timings[wrong].append(time.perf_counter() - started)
    assert {exists for exists, _ in verified} == {True, False} and len(verified) == 10
    assert all(name.startswith("c360-argon2") for _, name in verified)  # never the event loop's thread
    # Both cost an argon2 verification: an unknown prefix is not answered faster (before: ~1% of the time).
    ratio = statistics.median(timings[unknown_prefix]) / statistics.median(timings[real_prefix])
    assert ratio > 0.5, timings

    # Meanwhile the server keeps answering: 8 bad keys verify in the pool while a cached caller is served.
    good = app_client("192.0.2.11")
    assert (await viewer(good, **{"X-API-Key": key})).status_code == 200
    bad = [viewer(client, **{"X-API-Key": real_prefix}) for _ in range(8)]
    answers = await asyncio.gather(*bad, viewer(good, **{"X-API-Key": key}))
    assert [a.status_code for a in answers] == [401] * 8 + [200]


async def test_repeated_failed_credentials_from_one_address_answer_429_until_the_window_ends(
    engine, app_client, settings
) -> None:
    attacker, neighbour = app_client("203.0.113.7"), app_client("203.0.113.8")
    known = issue_token(SECRET, role=Role.ANALYST, subject="known-before")
    assert (await viewer(attacker, Authorization=f"Bearer {known}")).status_code == 200
    for _ in range(5):  # no credential at all guesses nothing and is not counted
        assert (await attacker.post("/graphql", json=VIEWER)).status_code == 401
    for n in range(settings.auth_failure_limit):
        assert (await viewer(attacker, Authorization=f"Bearer wrong-{n}")).status_code == 401
    blocked = await viewer(attacker, Authorization="Bearer wrong-again")
    assert blocked.status_code == 429 and blocked.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(blocked.headers["Retry-After"]) <= settings.auth_failure_window_seconds
    # The right credential is refused too while blocked (guessing gains nothing), API keys included.
    key = await create_api_key(engine, name="acme", role=Role.PARTNER)
    fresh = issue_token(SECRET, role=Role.ADMIN, subject="guessed")
    assert (await viewer(attacker, Authorization=f"Bearer {fresh}")).status_code == 429
    assert (await viewer(attacker, **{"X-API-Key": key})).status_code == 429
    # A credential this process verified before the block is not held up; other addresses are not either.
    assert (await viewer(attacker, Authorization=f"Bearer {known}")).status_code == 200
    assert (await viewer(neighbour, Authorization=f"Bearer {fresh}")).status_code == 200


async def test_the_failure_count_is_shared_by_server_processes(engine, app_client, settings) -> None:
    """Two apps on one database stand for two server processes: failures seen by one count on the other."""
    first = app_client("198.51.100.20")
    second = app_client("198.51.100.20")  # the same address, another app (process)
    for n in range(settings.auth_failure_limit):
        assert (await viewer(first if n % 2 else second, Authorization=f"Bearer wrong-{n}")).status_code == 401
    for client in (first, second):
        assert (await viewer(client, Authorization="Bearer wrong")).status_code == 429


async def test_the_failure_count_lives_in_redis_when_it_is_configured(engine, app_client, settings) -> None:
    with_redis = dataclasses.replace(settings, redis_url=REDIS_URL)
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"  # a fresh key in the shared Redis
    first, second = app_client(address, with_redis), app_client(address, with_redis)
    for n in range(settings.auth_failure_limit):
        assert (await viewer(first if n % 2 else second, **{"X-API-Key": f"c360_{n:012d}_x"})).status_code == 401
    blocked = await viewer(second, **{"X-API-Key": "c360_000000000000_x"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) <= settings.auth_failure_window_seconds
    async with engine.connect() as conn:  # counted in Redis, not in the database
        from sqlalchemy import text

        assert (await conn.execute(text("SELECT count(*) FROM credential_failures"))).scalar_one() == 0


async def test_with_redis_unreachable_the_failures_are_counted_in_the_database(engine, app_client, settings) -> None:
    down = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    client = app_client("198.51.100.30", down)
    for n in range(settings.auth_failure_limit):
        assert (await viewer(client, Authorization=f"Bearer wrong-{n}")).status_code == 401
    assert (await viewer(client, Authorization="Bearer wrong")).status_code == 429
    async with engine.connect() as conn:
        from sqlalchemy import text

        counted = (await conn.execute(text("SELECT failures FROM credential_failures"))).scalar_one()
    assert counted == settings.auth_failure_limit
