"""`time_cursor` writes the same text as `encode_cursor` of (UTC ISO-8601, pk), without json."""

from __future__ import annotations

import datetime as dt

import pytest

from resolvers.common.connections import decode_time_cursor, time_cursor
from resolvers.common.pagination import encode_cursor

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 1, 9, 30, 5, 123456, tzinfo=dt.UTC),
        dt.datetime(1999, 1, 2, 23, 59, 59, 1, tzinfo=SHANGHAI),
    ],
)
@pytest.mark.parametrize("pk", [1, 987654321012])
def test_time_cursor_is_encode_cursor(at: dt.datetime, pk: int) -> None:
    cursor = time_cursor(at, pk)
    assert cursor == encode_cursor(at.astimezone(dt.UTC).isoformat(), pk)
    assert decode_time_cursor(cursor) == (at.astimezone(dt.UTC), pk)
