"""Pure SLA rules: due times from the policy rows, value-based escalation, breach and risk.

No database here: the services and the scan job load the policy rows and the ticket and ask
these functions. Times are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

PRIORITIES = ("LOW", "NORMAL", "HIGH", "URGENT")
STATUSES = ("OPEN", "PENDING", "RESOLVED", "CLOSED")
OPEN_STATUSES = ("OPEN", "PENDING")
AT_RISK_SHARE = 0.25
"""A ticket is about to breach when less than this share of an outstanding allowance is left."""


@dataclass(frozen=True)
class SlaPolicy:
    """One row of `sla_policies`: a priority row sets both allowances; a category row caps them."""

    priority: str | None
    category: str | None
    first_response_minutes: int | None
    resolution_minutes: int


@dataclass(frozen=True)
class DueTimes:
    first_response_due_at: dt.datetime
    resolution_due_at: dt.datetime


class TicketTimes(Protocol):
    """What the breach rules read from a ticket (a row or any object with these attributes)."""

    @property
    def opened_at(self) -> dt.datetime: ...
    @property
    def first_response_at(self) -> dt.datetime | None: ...
    @property
    def resolved_at(self) -> dt.datetime | None: ...
    @property
    def first_response_due_at(self) -> dt.datetime: ...
    @property
    def resolution_due_at(self) -> dt.datetime: ...


def is_high_value(*, value_tier: str | None, tier_code: str | None) -> bool:
    """A customer the desk treats first: value tier HIGH or loyalty tier PLATINUM."""
    return value_tier == "HIGH" or tier_code == "PLATINUM"


def one_level_up(priority: str) -> str:
    """The next priority up; URGENT stays URGENT."""
    return PRIORITIES[min(PRIORITIES.index(priority) + 1, len(PRIORITIES) - 1)]


def escalate(priority: str, *, value_tier: str | None, tier_code: str | None) -> str:
    """The effective priority: one level up for a HIGH value tier or a PLATINUM loyalty tier."""
    if not is_high_value(value_tier=value_tier, tier_code=tier_code):
        return priority
    return one_level_up(priority)


def next_due_at(
    status: str,
    first_response_at: dt.datetime | None,
    first_response_due_at: dt.datetime,
    resolution_due_at: dt.datetime,
) -> dt.datetime | None:
    """The earliest due time not met yet of an open ticket (the queue's order), None once it is
    resolved or closed. The first response is due no later than the resolution."""
    if status not in OPEN_STATUSES:
        return None
    return first_response_due_at if first_response_at is None else resolution_due_at


def due_times(opened_at: dt.datetime, priority: str, category: str, policies: Iterable[SlaPolicy]) -> DueTimes:
    """Due times for a ticket opened at `opened_at`: the priority's allowances, each capped by the
    category's row when there is one (a COMPLAINT is resolved within 72 h at the latest)."""
    rows = list(policies)
    by_priority = next((p for p in rows if p.priority == priority and p.category is None), None)
    if by_priority is None or by_priority.first_response_minutes is None:
        raise LookupError(f"no SLA policy for priority {priority}")
    response = by_priority.first_response_minutes
    resolution = by_priority.resolution_minutes
    cap = next((p for p in rows if p.category == category and p.priority is None), None)
    if cap is not None:
        resolution = min(resolution, cap.resolution_minutes)
        if cap.first_response_minutes is not None:
            response = min(response, cap.first_response_minutes)
    response = min(response, resolution)
    return DueTimes(
        first_response_due_at=opened_at + dt.timedelta(minutes=response),
        resolution_due_at=opened_at + dt.timedelta(minutes=resolution),
    )


def _missed(done_at: dt.datetime | None, due_at: dt.datetime, now: dt.datetime) -> bool:
    return done_at > due_at if done_at is not None else now > due_at


def is_breached(ticket: TicketTimes, now: dt.datetime) -> bool:
    """True once a due time passed without the response or the resolution, or either came late."""
    return _missed(ticket.first_response_at, ticket.first_response_due_at, now) or _missed(
        ticket.resolved_at, ticket.resolution_due_at, now
    )


def met_sla(ticket: TicketTimes) -> bool:
    """Both the first response and the resolution happened, each by its due time."""
    return (
        ticket.first_response_at is not None
        and ticket.resolved_at is not None
        and ticket.first_response_at <= ticket.first_response_due_at
        and ticket.resolved_at <= ticket.resolution_due_at
    )


def about_to_breach(ticket: TicketTimes, now: dt.datetime, share: float = AT_RISK_SHARE) -> bool:
    """Not breached yet, but an outstanding due time has less than `share` of its allowance left."""
    if is_breached(ticket, now):
        return False
    outstanding = []
    if ticket.first_response_at is None:
        outstanding.append(ticket.first_response_due_at)
    if ticket.resolved_at is None:
        outstanding.append(ticket.resolution_due_at)
    return any(due - now < (due - ticket.opened_at) * share for due in outstanding)


def may_move(current: str, target: str) -> bool:
    """Status moves only forward: OPEN → PENDING → RESOLVED → CLOSED (steps may be skipped)."""
    return STATUSES.index(target) > STATUSES.index(current)
