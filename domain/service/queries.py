"""Read-side SQL for service tickets and the SLA policy (Core statements, bound parameters)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, not_, or_, select

from domain.base import table_of
from domain.paging import PerCustomerPages, by_ids
from domain.service.models import SlaPolicy, Ticket

tickets = table_of(Ticket)
sla_policies = table_of(SlaPolicy)

TICKET_PAGES = PerCustomerPages(
    tickets,
    time_column="opened_at",
    filters={
        "status": lambda p: tickets.c.status == p,
        # `Customer.tickets(breached:)`: the parameter is the time the breach is judged at.
        "breached_at": lambda p: breached_condition(p),
        "in_sla_at": lambda p: not_(breached_condition(p)),
    },
)
TICKETS_BY_IDS = by_ids(tickets)


def policies() -> Select[tuple[object, ...]]:
    return select(
        sla_policies.c.priority,
        sla_policies.c.category,
        sla_policies.c.first_response_minutes,
        sla_policies.c.resolution_minutes,
    )


def ticket_by_id(ticket_id: int) -> Select[tuple[object, ...]]:
    return select(tickets).where(tickets.c.id == ticket_id)


def _missed(done: ColumnElement[dt.datetime], due: ColumnElement[dt.datetime], now: Any) -> ColumnElement[bool]:
    # Both branches are false (never NULL) on a NULL time, so NOT(breached) works too.
    return or_(and_(done.is_(None), due < now), and_(done.is_not(None), done > due))


def breached_condition(now: dt.datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """SQL twin of `sla.is_breached`: a due time passed without the response or resolution,
    or it came late."""
    return or_(
        _missed(tickets.c.first_response_at, tickets.c.first_response_due_at, now),
        _missed(tickets.c.resolved_at, tickets.c.resolution_due_at, now),
    )


def met_sla_condition() -> ColumnElement[bool]:
    """SQL twin of `sla.met_sla`: responded and resolved, each by its due time."""
    return and_(
        tickets.c.first_response_at.is_not(None),
        tickets.c.resolved_at.is_not(None),
        tickets.c.first_response_at <= tickets.c.first_response_due_at,
        tickets.c.resolved_at <= tickets.c.resolution_due_at,
    )
