"""normalize_email: messy real-world input, bad shapes, properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.customers.normalize import InvalidIdentifier, normalize_email


def fullwidth(text: str) -> str:
    """What a CJK input method in full-width mode types for ASCII text."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("li.lei@example.com", "li.lei@example.com"),
        ("  Li.Lei@Example.COM  ", "li.lei@example.com"),
        ("\tLI.LEI@EXAMPLE.COM\n", "li.lei@example.com"),
        ("\u3000li@example.com\u3000", "li@example.com"),  # ideographic spaces
        ("\ufeffli@example.com\u200b", "li@example.com"),  # BOM and zero-width space from copy-paste
        (fullwidth("li@example.com"), "li@example.com"),  # full-width input method
        ("john.smith+promo@gmail.com", "john.smith+promo@gmail.com"),  # no provider rewriting
        ("J.O.H.N@GMail.com", "j.o.h.n@gmail.com"),
        ("12345678@qq.com", "12345678@qq.com"),
        ("wang_fang-88@mail.sina.com.cn", "wang_fang-88@mail.sina.com.cn"),
    ],
)
def test_normalize_email_accepts_messy_input(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "li.lei",
        "li.lei@",
        "@example.com",
        "li@@example.com",
        "li@lei@example.com",
        "li lei@example.com",
        "li@exa mple.com",
        "li@example",
        "li@qq",
        "li@example.",
        "li@.example.com",
        "li@example..com",
        "li@-example.com",
        "li@example,com",
        "li@163,com",
        "li@1.2.3.4",
        ".li@example.com",
        "li.@example.com",
        "li..lei@example.com",
        "Li Lei <li@example.com>",
        "li@example.com;wang@example.com",
        "li\x00@example.com",
        "x" * 65 + "@example.com",
        "li@" + "a" * 250 + ".com",
    ],
)
def test_normalize_email_rejects_bad_shapes(raw):
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_email(raw)
    assert caught.value.field == "email"


_local = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-", min_size=1, max_size=20)
_label = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)
_emails = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    _local,
    st.lists(_label, min_size=1, max_size=3),
    st.from_regex(r"[a-zA-Z]{2,6}", fullmatch=True),
)
_padding = st.text(alphabet=" \t\n\u3000\u200b\ufeff", max_size=3)


_letters = st.text(st.characters(categories=["Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Mn"]), min_size=1, max_size=8)
_unicode_emails = st.builds(lambda local, domain, tld: f"{local}@{domain}.{tld}", _letters, _letters, _letters)


@given(st.text(max_size=40) | _emails | _unicode_emails)
def test_normalize_email_is_idempotent_on_any_accepted_input(raw):
    try:
        once = normalize_email(raw)
    except InvalidIdentifier:
        return
    assert normalize_email(once) == once


@given(_emails, _padding, _padding, st.data())
def test_case_and_space_variants_of_an_email_normalize_equal(email, before, after, data):
    flipped = "".join(char.swapcase() if data.draw(st.booleans()) else char for char in email)
    assert normalize_email(before + flipped + after) == normalize_email(email) == email.lower()
