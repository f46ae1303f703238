"""Escalation on breach with a controllable clock: the SLA scan (run at chosen times) raises
escalationLevel and the priority one level for each due time breached, once per breach, never
past URGENT, without recomputing due times; read back through GraphQL. Also: the scan runs as a
job, in the embedded loop, and two scans at once escalate once."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from domain.jobs.requests import request_job
from domain.service.models import TicketEvent
from jobs.background import embedded_loop, run_due_jobs
from jobs.periodic import PERIODIC
from jobs.registry import JOBS
from jobs.sla_scan import run_sla_scan
from tests.crm_factories import create_customer
from tests.service.desk import MESSAGE, RESOLVE, TICKET_BY_ID, call, open_ticket

OPENED = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=10)).replace(microsecond=0)


def after(hours: float) -> dt.datetime:
    return OPENED + dt.timedelta(hours=hours)


async def read(gql, ticket_id: str) -> Any:
    return (await call(gql, TICKET_BY_ID, {"id": ticket_id}))["node"]


async def test_each_breach_escalates_once_up_to_urgent(engine, gql) -> None:
    cid = await create_customer(engine)
    # NORMAL: response due after 2 h, resolution after 48 h.
    normal = (await open_ticket(gql, cid, priority="NORMAL", openedAt=OPENED))["ticket"]
    # HIGH: 15 min / 24 h; two breaches take it to URGENT and no further.
    high = (await open_ticket(gql, cid, priority="HIGH", openedAt=OPENED))["ticket"]
    urgent = (await open_ticket(gql, cid, priority="URGENT", openedAt=OPENED))["ticket"]

    await run_sla_scan(engine, after(0.1))  # nothing due yet
    assert [(await read(gql, t["id"]))["escalationLevel"] for t in (normal, high, urgent)] == [0, 0, 0]

    await run_sla_scan(engine, after(1))  # HIGH's and URGENT's first responses are late
    await run_sla_scan(engine, after(1.5))  # the same breaches: nothing more
    assert [(await read(gql, t["id"]))["priority"] for t in (normal, high, urgent)] == ["NORMAL", "URGENT", "URGENT"]
    assert [(await read(gql, t["id"]))["escalationLevel"] for t in (normal, high, urgent)] == [0, 1, 1]

    await run_sla_scan(engine, after(3))  # NORMAL's response, URGENT's resolution (2 h)
    state = {t["id"]: await read(gql, t["id"]) for t in (normal, high, urgent)}
    assert [(s["escalationLevel"], s["priority"]) for s in state.values()] == [
        (1, "HIGH"),
        (1, "URGENT"),
        (2, "URGENT"),
    ]

    await run_sla_scan(engine, after(30))  # HIGH's resolution (24 h)
    await run_sla_scan(engine, after(60))  # NORMAL's resolution (48 h)
    await run_sla_scan(engine, after(90))  # no due time left to breach
    final = {t["id"]: await read(gql, t["id"]) for t in (normal, high, urgent)}
    assert [(s["escalationLevel"], s["priority"]) for s in final.values()] == [
        (2, "URGENT"),
        (2, "URGENT"),
        (2, "URGENT"),
    ]
    for ticket in (normal, high, urgent):  # due times are not recomputed
        assert final[ticket["id"]]["firstResponseDueAt"] == ticket["firstResponseDueAt"]
        assert final[ticket["id"]]["resolutionDueAt"] == ticket["resolutionDueAt"]
    async with engine.connect() as conn:
        events = (await conn.execute(select(TicketEvent.kind, TicketEvent.details).order_by(TicketEvent.id))).all()
    assert [e.kind for e in events] == ["ESCALATED"] * 6
    assert sorted(e.details["breach"] for e in events) == ["FIRST_RESPONSE"] * 3 + ["RESOLUTION"] * 3


async def test_met_due_times_and_resolved_tickets_do_not_escalate(engine, gql) -> None:
    cid = await create_customer(engine)
    answered = (await open_ticket(gql, cid, priority="LOW", openedAt=dt.datetime.now(dt.UTC)))["ticket"]
    await call(gql, MESSAGE, {"id": answered["id"], "body": "on it", "direction": "OUTBOUND", "channel": "SMS"})
    resolved = (await open_ticket(gql, cid, priority="LOW", openedAt=OPENED))["ticket"]
    await call(gql, RESOLVE, {"id": resolved["id"], "at": after(1).isoformat()})
    now = dt.datetime.now(dt.UTC)
    await run_sla_scan(engine, now + dt.timedelta(hours=30))  # LOW: response 24 h (met), resolution 72 h
    assert (await read(gql, answered["id"]))["escalationLevel"] == 0
    await run_sla_scan(engine, now + dt.timedelta(hours=80))
    assert [(await read(gql, t["id"]))["escalationLevel"] for t in (answered, resolved)] == [1, 0]
    assert (await read(gql, answered["id"]))["priority"] == "NORMAL"


async def test_concurrent_scans_escalate_once(engine, gql, backend) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite runs one writer at a time; the race is PostgreSQL's")
    cid = await create_customer(engine)
    tickets = [(await open_ticket(gql, cid, priority="NORMAL", openedAt=OPENED))["ticket"] for _ in range(5)]
    results = await asyncio.gather(*(run_sla_scan(engine, after(3)) for _ in range(4)))
    assert sum(r["escalated"] for r in results) == 5
    assert [(await read(gql, t["id"]))["escalationLevel"] for t in tickets] == [1] * 5


async def test_the_scan_is_a_job_scheduled_every_minute(engine, gql) -> None:
    [periodic] = [p for p in PERIODIC if p.kind == "sla_scan"]
    assert "sla_scan" in JOBS and periodic.every <= dt.timedelta(seconds=60)
    cid = await create_customer(engine)
    late = (await open_ticket(gql, cid, priority="NORMAL", openedAt=OPENED))["ticket"]  # response due 8 h ago
    async with engine.begin() as conn:
        await request_job(conn, "sla_scan", {}, requested_by="periodic:sla-scan", dedupe_key="periodic:sla-scan")
    assert await run_due_jobs(engine) == 1
    assert (await read(gql, late["id"]))["escalationLevel"] == 1


async def test_the_embedded_loop_runs_the_scan(engine, gql) -> None:
    cid = await create_customer(engine)
    late = (await open_ticket(gql, cid, priority="NORMAL", openedAt=OPENED))["ticket"]
    # a new installation's periodic slots are due at once: the SLA scan runs in the first pass
    task = asyncio.create_task(embedded_loop(engine, poll_seconds=0.05))
    try:
        for _ in range(100):
            if (await read(gql, late["id"]))["escalationLevel"] == 1:
                break
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
    assert (await read(gql, late["id"]))["escalationLevel"] == 1
