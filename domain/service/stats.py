"""The desk's figures in SQL aggregates (definitions in docs/insights.md "The service desk"):
per agent (`agentStats`) and for the whole desk (the service fields of `insights`).

The tickets measured are those resolved in the period [start, end) (`resolved_at`, through its
index); a ticket reopened and resolved again counts at its latest resolution. Nothing is loaded
per ticket into Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select

from domain.base import elapsed_seconds, table_of
from domain.feedback.models import Feedback
from domain.service.queries import follow_ups, met_sla_condition, ticket_messages, tickets

feedback = table_of(Feedback)
FIRST_CONTACT_MAX_OUTBOUND = 1
"""A first-contact resolution had at most this many OUTBOUND messages before it (and was never
reopened)."""
SATISFIED_CSAT = 8  # the CSAT share counts scores >= 8, as `Insights.csat` does


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _resolved_in(start: dt.datetime, end: dt.datetime, channel: str | None) -> list[ColumnElement[bool]]:
    conditions = [tickets.c.resolved_at >= start, tickets.c.resolved_at < end]
    if channel is not None:
        conditions.append(tickets.c.channel == channel)
    return conditions


def first_contact_resolution() -> ColumnElement[bool]:
    """The ticket was resolved with at most one OUTBOUND message before its resolution and never
    reopened: no (FIRST_CONTACT_MAX_OUTBOUND + 1)-th such message, found by one probe of the
    index `ticket_messages (ticket_id, direction, at)` that stops there (cheaper than counting)."""
    one_too_many = (
        select(ticket_messages.c.at)
        .where(
            ticket_messages.c.ticket_id == tickets.c.id,
            ticket_messages.c.direction == "OUTBOUND",
            ticket_messages.c.at <= tickets.c.resolved_at,
        )
        .order_by(ticket_messages.c.at)
        .limit(1)
        .offset(FIRST_CONTACT_MAX_OUTBOUND)
        .scalar_subquery()
    )
    return and_(tickets.c.reopen_count == 0, one_too_many.is_(None))


def _resolution_hours() -> ColumnElement[float]:
    return elapsed_seconds(tickets.c.resolved_at, tickets.c.opened_at) / 3600.0


def agent_resolutions(start: dt.datetime, end: dt.datetime) -> Select[Any]:
    """Per assignee, over the tickets they own that were resolved in the period: how many, the
    mean minutes to the first response and hours to the resolution, how many met both due times
    and how many were resolved on first contact."""
    return (
        select(
            tickets.c.assignee,
            func.count().label("resolved"),
            func.avg(elapsed_seconds(tickets.c.first_response_at, tickets.c.opened_at) / 60.0).label(
                "first_response_minutes"
            ),
            func.avg(_resolution_hours()).label("resolution_hours"),
            _count_if(met_sla_condition()).label("met_sla"),
            _count_if(first_contact_resolution()).label("first_contact"),
        )
        .where(tickets.c.assignee.is_not(None), *_resolved_in(start, end, None))
        .group_by(tickets.c.assignee)
    )


def agent_csat(start: dt.datetime, end: dt.datetime) -> Select[Any]:
    """Per assignee, the CSAT answers submitted in the period about tickets they own, and how
    many scored 8 or more."""
    return (
        select(
            tickets.c.assignee,
            func.count().label("responses"),
            _count_if(feedback.c.score >= SATISFIED_CSAT).label("satisfied"),
        )
        .select_from(feedback.join(tickets, tickets.c.id == feedback.c.ticket_id))
        .where(
            feedback.c.kind == "CSAT",
            feedback.c.submitted_at >= start,
            feedback.c.submitted_at < end,
            tickets.c.assignee.is_not(None),
        )
        .group_by(tickets.c.assignee)
    )


def desk_resolutions(start: dt.datetime, end: dt.datetime, channel: str | None) -> Select[Any]:
    """Over the tickets resolved in the period (opened on `channel`, when given): how many, the
    mean hours to resolution, of COMPLAINTs alone, and how many were resolved on first contact."""
    complaint = tickets.c.category == "COMPLAINT"
    return select(
        func.count().label("resolved"),
        func.avg(_resolution_hours()).label("resolution_hours"),
        func.avg(case((complaint, _resolution_hours()), else_=None)).label("complaint_hours"),
        _count_if(first_contact_resolution()).label("first_contact"),
    ).where(*_resolved_in(start, end, channel))


def follow_up_completion(start: dt.datetime, end: dt.datetime, channel: str | None, now: dt.datetime) -> Select[Any]:
    """Follow-ups due in the period whose outcome is settled (done, or due by `now`), and how many
    of those were done."""
    settled = follow_ups.c.done_at.is_not(None) | (follow_ups.c.due_at <= now)
    statement: Select[Any] = select(  # type: ignore[assignment]
        _count_if(settled).label("settled"),
        _count_if(follow_ups.c.done_at.is_not(None)).label("done"),
    ).where(follow_ups.c.due_at >= start, follow_ups.c.due_at < end)
    if channel is not None:
        statement = statement.join_from(follow_ups, tickets, tickets.c.id == follow_ups.c.ticket_id).where(
            tickets.c.channel == channel
        )
    return statement


@dataclass(frozen=True)
class AgentFigures:
    assignee: str
    tickets_resolved: int
    average_first_response_minutes: float | None
    average_resolution_hours: float | None
    sla_compliance: float | None
    csat: float | None
    first_contact_resolution_rate: float | None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def agent_figures(resolutions: Iterable[Any], csat: Iterable[Any]) -> list[AgentFigures]:
    """One entry per assignee with a resolution or a CSAT answer in the period, by assignee."""
    by_agent: dict[str, dict[str, Any]] = {}
    for row in resolutions:
        by_agent.setdefault(row.assignee, {})["resolutions"] = row
    for row in csat:
        by_agent.setdefault(row.assignee, {})["csat"] = row
    figures = []
    for assignee in sorted(by_agent):
        r, c = by_agent[assignee].get("resolutions"), by_agent[assignee].get("csat")
        resolved = int(r.resolved) if r is not None else 0
        figures.append(
            AgentFigures(
                assignee=assignee,
                tickets_resolved=resolved,
                average_first_response_minutes=_float(r.first_response_minutes) if r is not None else None,
                average_resolution_hours=_float(r.resolution_hours) if r is not None else None,
                sla_compliance=_share(int(r.met_sla), resolved) if r is not None else None,
                csat=_share(int(c.satisfied), int(c.responses)) if c is not None else None,
                first_contact_resolution_rate=_share(int(r.first_contact), resolved) if r is not None else None,
            )
        )
    return figures
