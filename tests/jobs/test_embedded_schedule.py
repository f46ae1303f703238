"""Without REDIS_URL the server schedules the periodic jobs itself: a fresh `c360 serve --demo`
shows scores and tiers above MEMBER with no other command (a real server process over HTTP), and
of several server processes one requests each slot."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from domain.db import make_engine
from domain.jobs.requests import jobs
from jobs.periodic import PERIODIC, latest_slot, request_due_slots
from jobs.registry import JOBS
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[2]
DEMO = """
{ scoringModel { customers converged }
  customers(first: 100) { totalCount edges { node { loyalty { tier { code } } scores { lifecycleStage } } } } }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_fresh_demo_server_shows_scores_and_tiers(database_url, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DATABASE_URL": database_url,
        "C360_SECRET": SECRET,
        "C360_VAR_DIR": str(tmp_path),
    }
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", "serve", "--demo", "--customers", "120", "--port", str(port), cwd=ROOT,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        token = ""
        while not token.startswith("ey"):  # the ADMIN token line
            line = await asyncio.wait_for(server.stdout.readline(), timeout=180)
            assert line, "the server stopped before printing its token"
            token = line.decode().strip()
        headers = {"Authorization": f"Bearer {token}"}
        deadline = time.monotonic() + 180
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            while True:
                try:
                    body = (await client.post("/graphql", json={"query": DEMO}, headers=headers)).json()
                    data = body.get("data") or {}
                    people = [e["node"] for e in data.get("customers", {}).get("edges", [])]
                    if data.get("scoringModel") and people and all(p["scores"] for p in people):
                        break
                except httpx.TransportError:
                    pass  # not listening yet
                assert time.monotonic() < deadline, "no scores within 3 minutes of a fresh demo server"
                await asyncio.sleep(1)
        tiers = {p["loyalty"]["tier"]["code"] for p in people}
        assert tiers - {"MEMBER"}, tiers  # the seeded orders earned points and raised tiers
        assert data["scoringModel"]["customers"] > 0
    finally:
        server.terminate()
        await server.wait()


async def test_of_several_schedulers_one_requests_each_slot(database_url) -> None:
    engines = [make_engine(database_url) for _ in range(3)]
    try:
        now = dt.datetime(2026, 12, 4, 18, 0, tzinfo=dt.UTC)
        kinds = set(JOBS)
        won = await asyncio.gather(*(request_due_slots(e, kinds, now) for e in engines))
        scheduled = [p for p in PERIODIC if p.kind in kinds]
        assert sorted(name for w in won for name in w) == sorted(p.name for p in scheduled)
        assert {p.name: latest_slot(p, now) for p in scheduled} == {n: s for w in won for n, s in w.items()}
        # The same slot again: nobody requests it; the next one: one does.
        assert not any(await asyncio.gather(*(request_due_slots(e, kinds, now) for e in engines)))
        later = await asyncio.gather(*(request_due_slots(e, kinds, now + dt.timedelta(minutes=5)) for e in engines))
        assert sorted(n for w in later for n in w) == ["sla-scan"]
        async with engines[0].connect() as conn:
            rows = (await conn.execute(select(jobs.c.kind, func.count()).group_by(jobs.c.kind))).all()
        per_kind: dict[str, int] = {r[0]: r[1] for r in rows}
        # One request per kind: the next scan's request joined the one still waiting (dedupe).
        assert per_kind == {p.kind: 1 for p in scheduled}
    finally:
        for e in engines:
            await e.dispose()
