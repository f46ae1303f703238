"""SLA rules as plain functions (no database)."""

from __future__ import annotations

import datetime as dt


def _late(done_at: dt.datetime | None, due_at: dt.datetime, now: dt.datetime) -> bool:
    return done_at > due_at if done_at is not None else now > due_at


def is_breached(
    *,
    now: dt.datetime,
    first_response_due_at: dt.datetime,
    resolution_due_at: dt.datetime,
    first_response_at: dt.datetime | None,
    resolved_at: dt.datetime | None,
) -> bool:
    """True once a due time has passed without the response or the resolution, or either came late.

    A ticket resolved without an explicit first response was answered when it was resolved.
    """
    responded_at = first_response_at or resolved_at
    return _late(responded_at, first_response_due_at, now) or _late(resolved_at, resolution_due_at, now)
