"""Ticket.breached as a pure rule: a due time passed without the response or resolution, or it came late."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.service.sla import is_breached

OPENED = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
RESPONSE_DUE = OPENED + dt.timedelta(hours=2)
RESOLUTION_DUE = OPENED + dt.timedelta(hours=48)


def hours(n: float) -> dt.datetime:
    return OPENED + dt.timedelta(hours=n)


@pytest.mark.parametrize(
    ("now", "responded", "resolved", "breached"),
    [
        (hours(1), None, None, False),  # nothing due yet
        (hours(2), None, None, False),  # exactly at the due time is not past it
        (hours(3), None, None, True),  # no response by the due time
        (hours(3), hours(1), None, False),  # answered in time, resolution not due yet
        (hours(3), hours(2.5), None, True),  # the response came late
        (hours(49), hours(1), None, True),  # resolution overdue
        (hours(100), hours(1), hours(47), False),  # both in time, long ago
        (hours(100), hours(1), hours(49), True),  # resolved late
        (hours(100), None, hours(1.5), False),  # resolved straight away counts as the response
        (hours(100), None, hours(3), True),  # resolved after the response was due
    ],
)
def test_breached(now, responded, resolved, breached) -> None:
    assert (
        is_breached(
            now=now,
            first_response_due_at=RESPONSE_DUE,
            resolution_due_at=RESOLUTION_DUE,
            first_response_at=responded,
            resolved_at=resolved,
        )
        is breached
    )
