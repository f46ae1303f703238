"""Member cards, channel keys, the kind dispatcher and error messages."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customers.normalize import (
    IdentifierKind,
    InvalidIdentifier,
    external_id_key,
    normalize_email,
    normalize_identifier,
    normalize_member_card,
    normalize_phone,
)


def fullwidth(text: str) -> str:
    """What a CJK input method in full-width mode types for ASCII text."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("VIP001234", "VIP001234"),
        ("vip001234", "VIP001234"),
        (" vip-0012-34 ", "VIP001234"),
        ("VIP 0012 34", "VIP001234"),
        ("vip\u20130012\u201434", "VIP001234"),  # en and em dashes from word processors
        (fullwidth("vip-0012"), "VIP0012"),
        ("0000123", "0000123"),  # leading zeros are part of the number
        ("6222 0202 0000 1234", "6222020200001234"),
    ],
)
def test_normalize_member_card(raw, expected):
    assert normalize_member_card(raw) == expected


@pytest.mark.parametrize("raw", ["", "  ", "---", "- -", "VIP.001", "VIP_001", "会员001", "A/1", "X" * 65])
def test_normalize_member_card_rejects(raw):
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_member_card(raw)
    assert caught.value.field == "memberCard"


def test_external_id_key():
    assert external_id_key("STORE", "00042") == "STORE:00042"
    assert external_id_key("WEB", "  u-Abc:7 \n") == "WEB:u-Abc:7"  # opaque: case and colons kept


@pytest.mark.parametrize(
    ("channel", "external_id", "field"),
    [
        ("STORE", "", "externalId"),
        ("STORE", "   ", "externalId"),
        ("", "1", "channel"),
        ("A:B", "1", "channel"),
    ],
)
def test_external_id_key_rejects(channel, external_id, field):
    with pytest.raises(InvalidIdentifier) as caught:
        external_id_key(channel, external_id)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (IdentifierKind.EMAIL, " LI@Example.com", "li@example.com"),
        (IdentifierKind.PHONE, "138-0013-8000", "+8613800138000"),
        (IdentifierKind.MEMBER_CARD, "vip-1", "VIP1"),
        (IdentifierKind.EXTERNAL_ID, "STORE: 00042 ", "STORE:00042"),
    ],
)
def test_normalize_identifier_dispatches_on_kind(kind, raw, expected):
    assert normalize_identifier(kind, raw) == expected


def test_normalize_identifier_external_id_needs_channel():
    with pytest.raises(InvalidIdentifier):
        normalize_identifier(IdentifierKind.EXTERNAL_ID, "00042")


@pytest.mark.parametrize(
    ("function", "raw"),
    [
        (normalize_email, "li lei@example.com"),
        (normalize_email, "li.lei@@example.com"),
        (normalize_phone, "13800138"),
        (normalize_phone, "phone 13800138 please"),
        (normalize_member_card, "VIP.98765"),
    ],
)
def test_invalid_identifier_message_never_contains_the_value(function, raw):
    with pytest.raises(InvalidIdentifier) as caught:
        function(raw)
    for fragment in (raw, raw.strip(), "13800138", "98765", "li.lei", "li lei"):
        assert fragment not in str(caught.value)
        assert fragment not in repr(caught.value)
    # No chained library exception tags along into tracebacks.
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None or caught.value.__suppress_context__


@given(st.text(max_size=30))
def test_member_card_normalization_is_idempotent(raw):
    try:
        once = normalize_member_card(raw)
    except InvalidIdentifier:
        return
    assert normalize_member_card(once) == once
    assert once.isascii() and once.isalnum() and once == once.upper()
