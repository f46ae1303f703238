"""/metrics of a real `c360 serve --workers 2`: every scrape, whichever worker answers it, is the
whole server (prometheus-client's multiprocess mode), so counters equal the requests sent and
never go backwards. Plus the labels and families an operator scrapes for."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from domain.privacy.roles import Role
from tests.conftest import SECRET, token
from tests.live_server import free_port

C360 = str(Path(sys.executable).parent / "c360")
PROBE = {"query": "query Probe { viewer { role } }", "operationName": "Probe"}


@pytest.fixture
async def two_workers(database_url, tmp_path) -> AsyncIterator[tuple[str, Path]]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "C360_SECRET": SECRET,
        "C360_VAR_DIR": str(tmp_path),
        "REDIS_URL": "",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = await asyncio.create_subprocess_exec(
        C360,
        *("serve", "--workers", "2", "--port", str(port)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(600):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.returncode is None, "c360 serve exited"
                await asyncio.sleep(0.05)
        yield base, tmp_path
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 30)


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def _fresh_connection(base: str, method: str, path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:  # a new connection: any worker
        return await client.request(method, path, **kwargs)


async def test_every_scrape_of_two_workers_counts_every_request(two_workers) -> None:
    base, var_dir = two_workers
    auth = {"Authorization": f"Bearer {token(Role.ANALYST)}"}
    sent = 0
    seen: list[float] = []
    for _round in range(5):
        answers = await asyncio.gather(
            *[_fresh_connection(base, "POST", "/graphql", json=PROBE, headers=auth) for _ in range(12)]
        )
        assert all(a.status_code == 200 for a in answers)
        sent += len(answers)
        for _scrape in range(4):
            text = (await _fresh_connection(base, "GET", "/metrics")).text
            value = _value(text, "c360_graphql_requests_total", outcome="ok", operation="Probe", role="ANALYST")
            seen.append(value)
            assert value == sent, (value, sent, seen)
    written = {p.name.rsplit("_", 1)[-1] for d in var_dir.glob("metrics-*") for p in d.glob("counter_*.db")}
    assert len(written) == 2, written  # both workers counted, each in its own file
    refused = await _fresh_connection(base, "POST", "/graphql", json=PROBE)
    assert refused.status_code == 401
    text = (await _fresh_connection(base, "GET", "/metrics")).text
    assert _value(text, "c360_graphql_requests_total", outcome="unauthenticated", operation="anonymous") == 1
    assert _value(text, "c360_http_requests_total", route="/graphql", method="POST", status="200") == sent
    assert _value(text, "c360_db_pool_checkouts_total") >= 1
    assert _value(text, "c360_jobs_pending", status="QUEUED") == 0
    assert "c360_db_pool_checked_out" in text and "c360_job_outbox_pending" in text
