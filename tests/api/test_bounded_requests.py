"""Every request is bounded (contract "Trust"): a statement or lock timeout, an exhausted pool or
an unreachable database answers HTTP 503 with Retry-After and `extensions.code` UNAVAILABLE,
within the timeout, for queries and mutations alike, with no SQL or stack in the response or
the log; once the database is back, the same app answers again without a restart.

Timeouts are set small in each test's settings. The PostgreSQL outage goes through a TCP proxy
of the test's own (tests/tcp_proxy.py) that is cut and restored: the PostgreSQL server is shared."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url, text
from structlog.testing import capture_logs

from api.api_keys import create_api_key
from api.app import create_app
from domain.db import make_engine
from domain.privacy.roles import Role
from domain.settings import ConfigurationError, Settings, Timeouts
from tests.conftest import Api
from tests.tcp_proxy import TcpProxy

CUSTOMER = "query($id: ID!) { customer(id: $id) { id displayName orders(first: 5) { totalCount } } }"
INGEST = """mutation($id: String!) {
  ingestChannelProfile(input: {channel: WEB, externalId: $id, displayName: "Bounded Person"}) {
    customer { id } errors { code }
  }
}"""
# Text that would mean SQL, a driver's message or a stack reached the caller or the log.
LEAKS = ("SELECT", "INSERT", "LOCK", "Traceback", "asyncpg", "sqlite3", "canceling statement", 'File "')


def _bounded(settings: Settings, **bounds: Any) -> Settings:
    return dataclasses.replace(settings, **{"statement_timeout_ms": 3000, "lock_timeout_ms": 300, **bounds})


@contextlib.asynccontextmanager
async def _api(settings: Settings, **engine_kwargs: Any) -> AsyncIterator[tuple[Api, Any]]:
    """The real app on an engine with `settings`' request bounds, over HTTP."""
    engine = make_engine(settings.database_url, settings.request_timeouts, **engine_kwargs)
    app = create_app(settings=settings, engine=engine)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c360.test") as client:
            yield Api(client), engine
    finally:
        await engine.dispose()


async def _timed(api: Api, query: str, variables: dict[str, Any], **kwargs: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await api.post(query, variables, **kwargs)
    return response, time.monotonic() - started


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    errors = response.json()["errors"]
    assert errors and {e["extensions"]["code"] for e in errors} == {"UNAVAILABLE"}, errors
    for leak in LEAKS:
        assert leak not in response.text, (leak, response.text)


def _assert_quiet_logs(events: Sequence[Mapping[str, Any]]) -> None:
    """The outage is logged by error type: never an INTERNAL failure, a statement or a stack."""
    assert any(e["event"] == "database_unavailable" for e in events)
    for event in events:
        assert event["event"] != "resolver_failed", event
        for leak in LEAKS:
            assert leak not in repr(event), (leak, event)


async def _customer_id(api: Api, external_id: str) -> str:
    data = await api(INGEST, {"id": external_id})
    return str(data["ingestChannelProfile"]["customer"]["id"])


@pytest.mark.parametrize(
    ("which", "bounds", "within"),
    [
        ("lock timeout", {"lock_timeout_ms": 300, "statement_timeout_ms": 3000}, 2.0),
        ("statement timeout", {"lock_timeout_ms": 10_000, "statement_timeout_ms": 500}, 2.5),
    ],
)
async def test_a_table_locked_by_another_session_answers_503_unavailable_within_the_timeout(
    backend, database_url, settings, which, bounds, within
) -> None:
    if backend != "postgresql":
        pytest.skip("LOCK TABLE is PostgreSQL's; SQLite's write lock is the next test")
    async with _api(_bounded(settings, **bounds)) as (api, _engine):
        gid = await _customer_id(api, "W-BOUND-1")
        holder = make_engine(database_url)  # the other session, unbounded
        try:
            with capture_logs() as events:
                async with holder.begin() as conn:
                    await conn.execute(text("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE"))
                    read, read_seconds = await _timed(api, CUSTOMER, {"id": gid})
                    write, write_seconds = await _timed(api, INGEST, {"id": "W-BOUND-2"})
            _assert_unavailable(read)
            _assert_unavailable(write)
            assert read.json()["data"] == {"customer": None}
            # Bounded by the timeout under test (the other one is longer), not by the lock's holder.
            assert read_seconds < within and write_seconds < within, (which, read_seconds, write_seconds)
            _assert_quiet_logs(events)
        finally:
            await holder.dispose()
        # The lock is gone: the same app answers, and the refused write was not half done.
        assert (await api(CUSTOMER, {"id": gid}))["customer"]["displayName"] == "Bounded Person"
        await _customer_id(api, "W-BOUND-2")


async def test_a_sqlite_write_lock_held_elsewhere_answers_503_after_the_busy_timeout(
    backend, database_url, settings
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's busy timeout; PostgreSQL's lock timeout is the test above")
    async with _api(_bounded(settings, lock_timeout_ms=300)) as (api, _engine):
        gid = await _customer_id(api, "W-BOUND-1")
        other = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
        try:
            with capture_logs() as events:
                other.execute("BEGIN IMMEDIATE")  # another process's write transaction
                write, seconds = await _timed(api, INGEST, {"id": "W-BOUND-2"})
                # WAL: readers never wait for writers (no personal value in clear: no audit entry to write)
                read = await api.post("query($id: ID!) { customer(id: $id) { id } }", {"id": gid})
            other.execute("ROLLBACK")
        finally:
            other.close()
        _assert_unavailable(write)
        assert seconds < 2.0, seconds
        _assert_quiet_logs(events)
        assert read.status_code == 200 and read.json()["data"]["customer"]["id"] == gid
        await _customer_id(api, "W-BOUND-2")  # the lock is gone: writes go through again


async def test_an_exhausted_connection_pool_answers_503_after_the_pool_timeout(database_url, settings) -> None:
    async with _api(_bounded(settings, pool_timeout_ms=300), pool_size=1, max_overflow=0) as (api, engine):
        gid = await _customer_id(api, "W-POOL-1")
        with capture_logs() as events:
            async with engine.connect() as held:  # the pool's only connection, busy elsewhere
                await held.execute(text("SELECT 1"))
                read, read_seconds = await _timed(api, CUSTOMER, {"id": gid})
                write, write_seconds = await _timed(api, INGEST, {"id": "W-POOL-2"})
        _assert_unavailable(read)
        _assert_unavailable(write)
        assert read_seconds < 2.0 and write_seconds < 2.0, (read_seconds, write_seconds)
        _assert_quiet_logs(events)
        assert (await api(CUSTOMER, {"id": gid}))["customer"]["id"] == gid


async def test_postgresql_unreachable_mid_traffic_answers_503_then_recovers_without_a_restart(
    backend, database_url, settings
) -> None:
    if backend != "postgresql":
        pytest.skip("the server process of SQLite is the app itself")
    target = make_url(database_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    proxied = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    bounded = _bounded(dataclasses.replace(settings, database_url=proxied), pool_timeout_ms=1000)
    async with _api(bounded) as (api, engine):
        gid = await _customer_id(api, "W-OUTAGE-1")
        key = await create_api_key(engine, name="outage-partner", role=Role.PARTNER)
        answers: list[tuple[str, httpx.Response, float]] = []
        phase = "up"

        async def traffic() -> None:
            n = 0
            while True:
                n += 1
                seen = phase
                if n % 3:
                    response, seconds = await _timed(api, CUSTOMER, {"id": gid})
                else:
                    response, seconds = await _timed(api, INGEST, {"id": f"W-OUTAGE-{n}"})
                answers.append((seen, response, seconds))
                await asyncio.sleep(0.02)

        with capture_logs() as events:
            sender = asyncio.create_task(traffic())
            try:
                await asyncio.sleep(0.5)
                phase = "down"
                await proxy.cut()  # PostgreSQL gone: open connections reset, new ones refused
                await asyncio.sleep(1.5)
                ready = await api.client.get("/readyz")
                retried = await api.post(INGEST, {"id": "W-OUTAGE-KEYED"}, headers={"Idempotency-Key": "outage-1"})
                viewer = {"query": "{ viewer { role } }"}
                by_key = await api.client.post("/graphql", json=viewer, headers={"X-API-Key": key})
                phase = "back"
                await proxy.start()  # back on the same address; the app is not restarted
                deadline = time.monotonic() + 15
                while not (answers and answers[-1][0] == "back" and answers[-1][1].status_code == 200):
                    assert time.monotonic() < deadline, "no answer after the database came back"
                    await asyncio.sleep(0.1)
                await asyncio.sleep(0.5)  # more traffic after the recovery
            finally:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sender
                await proxy.cut()

    assert ready.status_code == 503 and ready.json()["database"] == "unreachable"
    _assert_unavailable(retried)  # the idempotency record's own lookup met the outage
    _assert_unavailable(by_key)  # so did the API key's, before any GraphQL ran
    down = [(r, s) for phase_seen, r, s in answers if phase_seen == "down"]
    assert len(down) >= 3 and all(r.status_code == 503 for r, _ in down[1:]), [r.status_code for r, _ in down]
    for response, seconds in down:
        if response.status_code != 200:  # the first may have been answered before the cut
            _assert_unavailable(response)
        assert seconds < 3.0, seconds  # never a hang: the connect and pool bounds are 1 s
    assert {r.status_code for _, r, _s in answers} <= {200, 503}
    back = [r for phase_seen, r, _s in answers if phase_seen == "back"]
    recovered = next(i for i, r in enumerate(back) if r.status_code == 200)
    assert all(r.status_code == 200 for r in back[recovered:]), [r.status_code for r in back]
    assert len(back[recovered:]) >= 3
    _assert_quiet_logs(events)


def test_the_bounds_are_settings_in_milliseconds_and_must_be_positive(monkeypatch, tmp_path) -> None:
    from domain.settings import load_settings

    monkeypatch.setenv("C360_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    defaults = load_settings()
    assert (defaults.statement_timeout_ms, defaults.lock_timeout_ms, defaults.pool_timeout_ms) == (5000, 2000, 5000)
    monkeypatch.setenv("C360_STATEMENT_TIMEOUT_MS", "750")
    monkeypatch.setenv("C360_LOCK_TIMEOUT_MS", "120")
    monkeypatch.setenv("C360_POOL_TIMEOUT_MS", "900")
    monkeypatch.setenv("C360_JOB_STATEMENT_TIMEOUT_MS", "60000")
    bounded = load_settings()
    assert bounded.request_timeouts == Timeouts(750, 120, 900)
    assert bounded.job_timeouts == Timeouts(60000, 120, 900)
    for bad in ("0", "-5", "5s", "1.5"):
        monkeypatch.setenv("C360_LOCK_TIMEOUT_MS", bad)
        with pytest.raises(ConfigurationError, match="C360_LOCK_TIMEOUT_MS"):
            load_settings()


def test_a_cli_command_on_an_unreachable_database_says_so_without_a_stack_trace(tmp_path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/nowhere",
        "C360_SECRET": "test-secret-not-for-production-0123456789",
        "C360_VAR_DIR": str(tmp_path),
        "C360_POOL_TIMEOUT_MS": "1000",
    }
    done = subprocess.run(
        [str(Path(sys.executable).with_name("c360")), "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 75, done.stderr
    assert "the database is unavailable or did not answer in time" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
