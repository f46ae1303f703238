"""`c360 import` with bad values (contract "Trust"): each line the database could not hold is
rejected with its number, INVALID_INPUT and the field; every other line of the file, in the same
batch or not, is kept."""

from __future__ import annotations

from sqlalchemy import select

from domain.customers.models import ChannelProfile
from domain.orders.models import Order
from tests.api.test_import import c360, jsonl

NUL = "\u0000"
LINE = {"sku": "CD", "name": "1 CD(s)", "quantity": 1, "unitPrice": "12.00"}
ORDER = {"channel": "STORE", "customerExternalId": "00042", "placedAt": "2026-01-02T10:00:00Z", "lines": [LINE]}


def rejected(out: str) -> dict[int, str]:
    """Line number -> reason, for each rejected line the import printed."""
    found = {}
    for text in out.splitlines():
        head, _, reason = text.partition(": rejected: ")
        if reason:
            found[int(head.removeprefix("line "))] = reason
    return found


async def test_bad_order_values_reject_their_line_only(engine, database_url, tmp_path) -> None:
    rows: list[object] = [
        {**ORDER, "externalId": "ok-1"},
        {**ORDER, "externalId": f"o{NUL}2"},
        {**ORDER, "externalId": "o3", "lines": [{**LINE, "sku": f"CD{NUL}"}]},
        {**ORDER, "externalId": "o4", "placedAt": "9999-12-31T00:00:00Z"},
        {**ORDER, "externalId": "o5", "placedAt": "0001-01-01T00:00:00+08:00"},
        {**ORDER, "externalId": "o6", "lines": [{**LINE, "quantity": 2_000_000_000, "unitPrice": "99999999999.00"}]},
        {**ORDER, "externalId": "o7", "lines": [{**LINE, "quantity": 3_000_000_000}]},
        {**ORDER, "externalId": "o8", "lines": [{**LINE, "quantity": 1_000_000, "unitPrice": "9999999999.99"}]},
        {**ORDER, "externalId": "o9", "lines": [{**LINE, "unitPrice": "1e100000"}]},
        {**ORDER, "externalId": "ok-10", "customerExternalId": "00043"},
    ]
    path = jsonl(tmp_path / "orders.jsonl", rows)
    out = await c360(database_url, tmp_path, "import", "orders", str(path), "--batch-size", "4", status=1)
    assert "created 2, updated 0, merged 0, unchanged 0, rejected 8" in out
    assert NUL not in out and "Traceback" not in out and "INTERNAL" not in out
    reasons = rejected(out)
    assert set(reasons) == set(range(2, 10))
    assert all(reason.startswith("INVALID_INPUT: ") for reason in reasons.values())
    expected_fields = {
        2: "(input.externalId)",
        3: "(input.lines.0.sku)",
        4: "(input.placedAt)",
        5: "(placedAt)",
        6: "(input.lines.0.unitPrice)",
        7: "(input.lines.0.quantity)",
        8: "(input.lines)",
        9: "(input.lines.0.unitPrice)",
    }
    for number, field in expected_fields.items():
        assert reasons[number].endswith(field), (number, reasons[number])
    async with engine.connect() as conn:
        kept = set((await conn.execute(select(Order.external_id))).scalars())
    assert kept == {"ok-1", "ok-10"}


async def test_bad_profile_values_reject_the_line_or_leave_the_field_out(engine, database_url, tmp_path) -> None:
    rows: list[object] = [
        {"channel": "WEB", "externalId": "w1", "displayName": "Ann"},
        {"channel": "WEB", "externalId": f"w{NUL}2"},
        {"channel": "WEB", "externalId": "w3", "seenAt": "0001-01-01T00:00:00Z"},
        {"channel": "WEB", "externalId": "w4", "displayName": f"Bo{NUL}", "birthDate": "1850-01-01"},
        {"channel": "WEB", "externalId": "w5", "email": "cy@example.com"},
    ]
    path = jsonl(tmp_path / "profiles.jsonl", rows)
    out = await c360(database_url, tmp_path, "import", "profiles", str(path), "--batch-size", "2", status=1)
    assert "created 3, updated 0, merged 0, unchanged 0, rejected 2" in out
    assert NUL not in out and "Traceback" not in out
    reasons = rejected(out)
    assert set(reasons) == {2, 3}
    assert reasons[2].endswith("(input.externalId)") and reasons[3].endswith("(input.seenAt)")
    assert "line 4: kept without a field: INVALID_INPUT: displayName must not contain NUL characters" in out
    assert "line 4: kept without a field: INVALID_INPUT: birthDate must be in the years 1900 to 2199" in out
    async with engine.connect() as conn:
        kept = dict((await conn.execute(select(ChannelProfile.external_id, ChannelProfile.display_name))).all())
    assert kept == {"w1": "Ann", "w4": None, "w5": None}
