"""The ticket history besides its SLA clock (`ticket_events`): assignments, escalations,
follow-ups scheduled and done, reopenings. Details hold ids, levels and codes, never free text."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.service.models import TicketEvent

ticket_events = table_of(TicketEvent)

ASSIGNED = "ASSIGNED"
ESCALATED = "ESCALATED"
FOLLOW_UP_SCHEDULED = "FOLLOW_UP_SCHEDULED"
FOLLOW_UP_DONE = "FOLLOW_UP_DONE"
REOPENED = "REOPENED"
SYSTEM = "system:sla-scan"  # the actor of what the periodic SLA job does


def event(ticket: Any, kind: str, actor: str, at: dt.datetime, **details: Any) -> dict[str, Any]:
    """One `ticket_events` row about `ticket` (a tickets row)."""
    return {
        "ticket_id": ticket.id,
        "customer_id": ticket.customer_id,
        "at": at,
        "kind": kind,
        "actor": actor,
        "details": details,
    }


async def record_events(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(insert(ticket_events), rows)
