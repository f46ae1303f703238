"""SLA rules without a database: due times, escalation, breach and risk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from domain.service.sla import SlaPolicy, about_to_breach, due_times, escalate, is_breached, may_move, met_sla

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
POLICIES = [
    SlaPolicy("URGENT", None, 15, 120),
    SlaPolicy("HIGH", None, 15, 1440),
    SlaPolicy("NORMAL", None, 120, 2880),
    SlaPolicy("LOW", None, 1440, 4320),
    SlaPolicy(None, "COMPLAINT", None, 4320),
]


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@dataclass
class T:
    opened_at: dt.datetime
    first_response_due_at: dt.datetime
    resolution_due_at: dt.datetime
    first_response_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None


def normal(**kw: dt.datetime | None) -> T:
    return T(opened_at=T0, first_response_due_at=T0 + minutes(120), resolution_due_at=T0 + minutes(2880), **kw)


@pytest.mark.parametrize(
    ("priority", "response", "resolution"),
    [("URGENT", 15, 120), ("HIGH", 15, 1440), ("NORMAL", 120, 2880), ("LOW", 1440, 4320)],
)
def test_due_times_per_priority(priority: str, response: int, resolution: int) -> None:
    due = due_times(T0, priority, "SERVICE", POLICIES)
    assert due.first_response_due_at == T0 + minutes(response)
    assert due.resolution_due_at == T0 + minutes(resolution)


def test_a_complaint_is_resolved_within_72_hours_at_the_latest() -> None:
    policies = [SlaPolicy("LOW", None, 1440, 10000), SlaPolicy(None, "COMPLAINT", None, 4320)]
    due = due_times(T0, "LOW", "COMPLAINT", policies)
    assert due.resolution_due_at == T0 + dt.timedelta(hours=72)
    assert due.first_response_due_at == T0 + minutes(1440)
    assert due_times(T0, "URGENT", "COMPLAINT", POLICIES).resolution_due_at == T0 + minutes(120)


def test_unknown_priority_has_no_policy() -> None:
    with pytest.raises(LookupError):
        due_times(T0, "URGENT", "SERVICE", [SlaPolicy("LOW", None, 1, 2)])


@pytest.mark.parametrize(
    ("priority", "value_tier", "tier", "expected"),
    [
        ("LOW", "HIGH", "MEMBER", "NORMAL"),
        ("NORMAL", None, "PLATINUM", "HIGH"),
        ("HIGH", "HIGH", "PLATINUM", "URGENT"),
        ("URGENT", "HIGH", None, "URGENT"),
        ("NORMAL", "MEDIUM", "GOLD", "NORMAL"),
        ("LOW", None, None, "LOW"),
    ],
)
def test_escalation(priority: str, value_tier: str | None, tier: str | None, expected: str) -> None:
    assert escalate(priority, value_tier=value_tier, tier_code=tier) == expected


def test_not_breached_before_the_due_times() -> None:
    assert not is_breached(normal(), T0 + minutes(120))


def test_breached_once_the_response_is_overdue() -> None:
    assert is_breached(normal(), T0 + minutes(121))


def test_a_late_response_stays_breached_after_resolution_in_time() -> None:
    ticket = normal(first_response_at=T0 + minutes(130), resolved_at=T0 + minutes(200))
    assert is_breached(ticket, T0 + minutes(201))
    assert not met_sla(ticket)


def test_in_time_on_both_is_never_breached() -> None:
    ticket = normal(first_response_at=T0 + minutes(119), resolved_at=T0 + minutes(2880))
    assert not is_breached(ticket, T0 + dt.timedelta(days=365))
    assert met_sla(ticket)


def test_overdue_resolution_breaches_after_an_in_time_response() -> None:
    ticket = normal(first_response_at=T0 + minutes(10))
    assert not is_breached(ticket, T0 + minutes(2880))
    assert is_breached(ticket, T0 + minutes(2881))


def test_about_to_breach_in_the_last_quarter_of_an_allowance() -> None:
    assert not about_to_breach(normal(), T0 + minutes(89))
    assert about_to_breach(normal(), T0 + minutes(91))
    assert not about_to_breach(normal(), T0 + minutes(121))  # breached, no longer "about to"
    responded = normal(first_response_at=T0 + minutes(5))
    assert not about_to_breach(responded, T0 + minutes(91))
    assert about_to_breach(responded, T0 + minutes(2880 * 0.8))


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("OPEN", "PENDING", True),
        ("OPEN", "RESOLVED", True),
        ("PENDING", "RESOLVED", True),
        ("RESOLVED", "CLOSED", True),
        ("PENDING", "PENDING", False),
        ("PENDING", "OPEN", False),
        ("RESOLVED", "PENDING", False),
        ("CLOSED", "RESOLVED", False),
    ],
)
def test_status_moves_only_forward(current: str, target: str, allowed: bool) -> None:
    assert may_move(current, target) is allowed
