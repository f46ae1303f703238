"""Pure identity rules: merge limits, survivorship with blocked values, repeated consents,
what an ingest changes on a known profile, and the import line parser."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from api.import_parse import parse_order, parse_profile
from domain.customers.ingest import ProfileData, prepare_profile, profile_changes
from domain.customers.resolution import over_limit, rule_for
from domain.customers.survivorship import survive
from domain.errors import InvalidInput
from domain.privacy.consents import repeats

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
T1 = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)


def test_merge_limits() -> None:
    assert over_limit({"EMAIL": 5, "PHONE": 5, "MEMBER_CARD": 2}) == []
    assert over_limit({"EMAIL": 6, "MEMBER_CARD": 3}) == ["EMAIL", "MEMBER_CARD"]
    assert rule_for({"EMAIL", "PHONE"}) == "PHONE match"
    assert rule_for({"EMAIL", "MEMBER_CARD"}) == "MEMBER_CARD match"


def _profile(pid: int, seen: dt.datetime, **values: object) -> dict[str, object]:
    fields = ("display_name", "email", "phone", "birth_date", "country", "city", "district", "line1", "postal_code")
    return {"id": pid, "last_seen_at": seen, **dict.fromkeys(fields), **values}


def test_survivorship_skips_empty_and_blocked_values() -> None:
    older = _profile(1, T0, display_name="Old", email="real@example.com", phone="+8613900139000")
    newer = _profile(2, T1, display_name="New", email="test@test.com", phone="")
    result = survive([older, newer])
    assert result["display_name"] == "New"
    assert result["email"] == "real@example.com"  # the newer one is a placeholder
    assert result["phone"] == "+8613900139000"


def test_a_profile_repeating_its_consent_records_nothing() -> None:
    assert repeats((True, T1), True, T1, explicit_time=True)
    assert repeats((True, T1), True, T0, explicit_time=True)
    assert not repeats((True, T0), True, T1, explicit_time=True)  # restated later: a new decision
    assert repeats((True, T0), True, T1, explicit_time=False)  # same input again, time "now"
    assert not repeats((False, T1), True, T1, explicit_time=True)
    assert not repeats(None, True, T1, explicit_time=True)


def _known(**values: object) -> SimpleNamespace:
    fields = prepare_profile(ProfileData(channel="WEB", external_id="x")).fields
    return SimpleNamespace(**{**fields, "first_seen_at": T0, "last_seen_at": T1, **values})


def test_profile_changes_newer_overwrites_older_only_fills() -> None:
    known = _known(display_name="Ann", email="ann@example.com")
    newer = prepare_profile(ProfileData(channel="WEB", external_id="x", display_name="Anna", seen_at=T1))
    assert profile_changes(known, newer) == {"display_name": "Anna"}
    stale = prepare_profile(
        ProfileData(channel="WEB", external_id="x", display_name="A", phone="13900139000", seen_at=T0)
    )
    assert profile_changes(known, stale) == {"phone": "+8613900139000"}
    same = prepare_profile(ProfileData(channel="WEB", external_id="x", email=" ANN@example.com", seen_at=T1))
    assert profile_changes(known, same) == {}


def test_parse_lines_with_graphql_field_names() -> None:
    profile = parse_profile(
        b'{"channel":"STORE","externalId":"00042","memberCard":"vip-1","seenAt":"2025-01-01T08:00:00+08:00"}'
    )
    assert profile.external_id == "00042" and profile.seen_at == dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    order = parse_order(
        b'{"channel":"STORE","externalId":"o","customerExternalId":"00042","placedAt":"2025-01-01",'
        b'"lines":[{"sku":"CD","name":"x","quantity":1,"unitPrice":"12.00"}]}'
    )
    assert order.lines[0].unit_price * 100 == 1200 and order.currency == "CNY"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[1]", "must be a JSON object"),
        (b'{"channel":"WEB"}', "externalId is required"),
        (b'{"channel":"WEB","externalId":7}', "externalId must be a str"),
        (b'{"channel":"WEB","externalId":"x","consents":[{"purpose":"SPAM","granted":true}]}', "consents[0]"),
        (b'{"channel":"WEB","externalId":"x","seenAt":"13:00"}', "seenAt is not a valid ISO-8601 value"),
    ],
)
def test_bad_profile_lines_say_why_without_values(raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason.replace("[", r"\[").replace("]", r"\]")):
        parse_profile(raw)
