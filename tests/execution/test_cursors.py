"""`time_cursor` writes the same text as `encode_cursor` of (UTC ISO-8601, pk), without json;
`encode_id` the same as base64's urlsafe encoder."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from resolvers.common.connections import decode_time_cursor, time_cursor
from resolvers.common.ids import decode_any, encode_id
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


@pytest.mark.parametrize("type_name", ["Customer", "Order", "ChannelProfile", "Ticket", "Feedback"])
@pytest.mark.parametrize("pk", [0, 1, 62, 63, 999, 2**31 + 7, 987654321012])
def test_encode_id_is_urlsafe_base64_without_padding(type_name: str, pk: int) -> None:
    """encode_id (binascii directly) writes what base64.urlsafe_b64encode did, and decodes back."""
    expected = base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
    assert encode_id(type_name, pk) == expected
    assert decode_any(expected) == (type_name, pk)
