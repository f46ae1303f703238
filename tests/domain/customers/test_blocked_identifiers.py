"""Placeholder identifiers that must never link profiles."""

import pytest

from domain.customers.normalize import (
    DEFAULT_BLOCKED,
    BlockedIdentifiers,
    IdentifierKind,
    load_blocked,
    normalize_email,
    normalize_member_card,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (IdentifierKind.EMAIL, "test@test.com"),
        (IdentifierKind.EMAIL, "a@a.com"),
        (IdentifierKind.EMAIL, "none@none.com"),
        (IdentifierKind.EMAIL, "noemail@qq.com"),
        (IdentifierKind.EMAIL, "noemail@anything.cn"),
        (IdentifierKind.EMAIL, "no-reply@shop.example.com"),
        (IdentifierKind.PHONE, "+8613800000000"),
        (IdentifierKind.PHONE, "+8613888888888"),
        (IdentifierKind.PHONE, "+8618888888888"),
        (IdentifierKind.MEMBER_CARD, "0"),
        (IdentifierKind.MEMBER_CARD, "0000000000"),
    ],
)
def test_default_blocked(kind, value):
    assert DEFAULT_BLOCKED.is_blocked(kind, value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (IdentifierKind.EMAIL, "li.lei@example.com"),
        (IdentifierKind.EMAIL, "test.user@example.com"),
        (IdentifierKind.EMAIL, "someone@noemail.com"),
        (IdentifierKind.PHONE, "+8613800138000"),
        (IdentifierKind.PHONE, "+12025550123"),
        (IdentifierKind.MEMBER_CARD, "VIP001234"),
        (IdentifierKind.EXTERNAL_ID, "STORE:00042"),
    ],
)
def test_default_not_blocked(kind, value):
    assert not DEFAULT_BLOCKED.is_blocked(kind, value)


def test_default_blocked_values_are_in_normalized_form():
    assert all(normalize_email(value) == value for value in DEFAULT_BLOCKED.emails)
    assert all(normalize_phone(value) == value for value in DEFAULT_BLOCKED.phones)
    assert all(normalize_member_card(value) == value for value in DEFAULT_BLOCKED.member_cards)


def test_load_blocked_without_extra_is_the_defaults():
    assert load_blocked(None) == DEFAULT_BLOCKED
    assert load_blocked("") == DEFAULT_BLOCKED
    assert load_blocked(" , ") == DEFAULT_BLOCKED


def test_load_blocked_normalizes_and_merges_with_defaults():
    blocked = load_blocked(
        " PHONE:021-5555 0000, email: Shop@Store.CN ,EMAIL:Walkin@*,member_card:9999-99,EXTERNAL_ID:STORE: walk-in ,,"
    )
    assert blocked.is_blocked(IdentifierKind.PHONE, "+862155550000")
    assert blocked.is_blocked(IdentifierKind.EMAIL, "shop@store.cn")
    assert blocked.is_blocked(IdentifierKind.EMAIL, "walkin@qq.com")
    assert blocked.is_blocked(IdentifierKind.MEMBER_CARD, "999999")
    assert blocked.is_blocked(IdentifierKind.EXTERNAL_ID, "STORE:walk-in")
    assert blocked.is_blocked(IdentifierKind.EMAIL, "test@test.com")  # defaults kept
    assert not blocked.is_blocked(IdentifierKind.EMAIL, "li@store.cn")
    assert BlockedIdentifiers().union(DEFAULT_BLOCKED) == DEFAULT_BLOCKED


def test_load_blocked_reads_phones_in_the_given_region():
    assert load_blocked("PHONE:(202) 555-0123", default_region="US").is_blocked(IdentifierKind.PHONE, "+12025550123")


@pytest.mark.parametrize(
    "extra",
    [
        "FAX:123",
        "13800000000",
        "PHONE:123",
        "EMAIL:not-an-email",
        "EMAIL:@*",
        "MEMBER_CARD:",
        "EXTERNAL_ID:x",
    ],
)
def test_load_blocked_rejects_bad_entries_with_their_position(extra):
    with pytest.raises(ValueError, match="entry 2") as caught:
        load_blocked("EMAIL:ok@example.com," + extra)
    assert "not-an-email" not in str(caught.value)
