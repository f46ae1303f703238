"""run_sla_scan: marks breached and at-risk tickets once, idempotently."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from domain.privacy.roles import Role
from domain.service.queries import tickets
from domain.service.tickets import TicketData, open_ticket, respond_to_ticket
from jobs.sla_scan import run_sla_scan
from tests.crm_factories import create_customer

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


async def test_scan_marks_breached_and_at_risk_once(engine) -> None:
    cid = await create_customer(engine)
    async with engine.begin() as conn:
        data = TicketData(customer_id=cid, category="SERVICE", priority="NORMAL", channel="WEB", subject="s")
        overdue = (await open_ticket(conn, data, role=Role.ADMIN, now=minutes(0))).id  # response due at +120
        risky = (
            await open_ticket(conn, data, role=Role.ADMIN, now=minutes(20))
        ).id  # response due at +140, 25% left from +110
        answered = (await open_ticket(conn, data, role=Role.ADMIN, now=minutes(20))).id
        await respond_to_ticket(conn, answered, at=minutes(21), now=minutes(21))
        calm = (await open_ticket(conn, data, role=Role.ADMIN, now=minutes(100))).id

    assert await run_sla_scan(engine, minutes(121)) == {"breached": 1, "atRisk": 1}
    assert await run_sla_scan(engine, minutes(121)) == {"breached": 0, "atRisk": 0}
    async with engine.connect() as conn:
        marks = {
            r.id: (r.breached_at, r.at_risk_at)
            for r in await conn.execute(select(tickets.c.id, tickets.c.breached_at, tickets.c.at_risk_at))
        }
    assert marks[overdue] == (minutes(121), None)
    assert marks[risky] == (None, minutes(121))
    assert marks[answered] == (None, None) and marks[calm] == (None, None)

    # Later the risky one breaches too; its at-risk mark stays as history.
    assert await run_sla_scan(engine, minutes(141)) == {"breached": 1, "atRisk": 0}
