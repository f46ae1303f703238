"""The demo data shows a working desk in GraphiQL: teams and owners in the queue, conversations
on the new channels, breached and escalated tickets, follow-ups done and due, a reopened ticket."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from api.demo_data import seed
from domain.service.models import FollowUp, Ticket, TicketEvent
from tests.service.desk import call

QUEUE = """{ ticketQueue(first: 100) { totalCount edges { node {
  assignee team escalationLevel priority breached messages { channel direction body } } } } }"""


async def test_the_demo_has_a_working_desk(engine, gql) -> None:
    counts = await seed(engine, customers=400)
    assert counts["tickets"] > 0 and counts["messages"] > counts["tickets"]
    data: dict[str, Any] = (await call(gql, QUEUE, {}))["ticketQueue"]
    nodes = [e["node"] for e in data["edges"]]
    assert data["totalCount"] >= len(nodes) > 0
    assert len({n["team"] for n in nodes}) >= 3 and len({n["assignee"] for n in nodes}) >= 4
    assert any(n["escalationLevel"] > 0 and n["breached"] for n in nodes)
    channels = {m["channel"] for n in nodes for m in n["messages"]}
    assert {"EMAIL", "SMS", "CHAT"} & channels
    assert all(n["messages"] and n["messages"][0]["direction"] == "INBOUND" for n in nodes)
    async with engine.connect() as conn:
        done = (await conn.execute(select(func.count()).where(FollowUp.done_at.is_not(None)))).scalar_one()
        pending = (await conn.execute(select(func.count()).where(FollowUp.done_at.is_(None)))).scalar_one()
        reopened = (await conn.execute(select(func.count()).where(TicketEvent.kind == "REOPENED"))).scalar_one()
        escalated = (await conn.execute(select(func.count()).where(Ticket.escalation_level > 0))).scalar_one()
    assert done > 0 and pending > 0 and reopened >= 1 and escalated > 0
