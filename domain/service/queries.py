"""Read-side SQL for service tickets and the SLA policy (Core statements, bound parameters)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, not_, or_, select

from domain.base import key_in, table_of
from domain.paging import PerCustomerPages, by_ids
from domain.service.models import FollowUp, SlaPolicy, Ticket, TicketMessage
from domain.service.sla import PRIORITIES, one_level_up

tickets = table_of(Ticket)
sla_policies = table_of(SlaPolicy)
ticket_messages = table_of(TicketMessage)
follow_ups = table_of(FollowUp)

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


def priority_one_level_up(priority: ColumnElement[str]) -> ColumnElement[str]:
    """SQL twin of `sla.one_level_up`, built from it."""
    return case({p: one_level_up(p) for p in PRIORITIES}, value=priority, else_=priority)


MESSAGES_BY_TICKET_IDS = (
    select(ticket_messages)
    .where(key_in(ticket_messages.c.ticket_id, "ids"))
    .order_by(ticket_messages.c.ticket_id, ticket_messages.c.at, ticket_messages.c.id)
)
FOLLOW_UPS_BY_TICKET_IDS = (
    select(follow_ups)
    .where(key_in(follow_ups.c.ticket_id, "ids"))
    .order_by(follow_ups.c.ticket_id, follow_ups.c.due_at, follow_ups.c.id)
)


def _queue_conditions(team: str | None, assignee: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [tickets.c.next_due_at.is_not(None)]
    if team is not None:
        conditions.append(tickets.c.team == team)
    if assignee is not None:
        conditions.append(tickets.c.assignee == assignee)
    return conditions


def ticket_queue(
    team: str | None, assignee: str | None, after: tuple[dt.datetime, int] | None, limit: int
) -> Select[tuple[object, ...]]:
    """Open tickets (of the team, of the assignee), soonest unmet due time first, then by id,
    after the keyset cursor (next_due_at, id): a range of the (team|assignee, next_due_at, id)
    indexes, `limit` rows read."""
    conditions = _queue_conditions(team, assignee)
    if after is not None:
        due, pk = after
        conditions.append(or_(tickets.c.next_due_at > due, and_(tickets.c.next_due_at == due, tickets.c.id > pk)))
    return select(tickets).where(*conditions).order_by(tickets.c.next_due_at, tickets.c.id).limit(limit)


def ticket_queue_count(team: str | None, assignee: str | None) -> Select[Any]:
    return select(func.count()).select_from(tickets).where(*_queue_conditions(team, assignee))
