"""Masked forms: the contract's examples, edge cases, and what a mask may never reveal."""

from collections.abc import Iterator

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.privacy.masking import PiiClass, mask, redact_for_log


@pytest.mark.parametrize(
    ("pii", "value", "masked"),
    [
        # NAME: first character and a fixed "**", whatever the length.
        (PiiClass.NAME, "李雷", "李**"),
        (PiiClass.NAME, "王小明", "王**"),
        (PiiClass.NAME, "William Smith", "W**"),
        (PiiClass.NAME, "Wu", "W**"),
        (PiiClass.NAME, "  李雷 ", "李**"),
        (PiiClass.NAME, "李", "**"),  # the first character would be all of it
        # EMAIL: first character of the local part, always three asterisks, the domain.
        (PiiClass.EMAIL, "lilei@example.com", "l***@example.com"),
        (PiiClass.EMAIL, "li@example.com", "l***@example.com"),
        (PiiClass.EMAIL, "12345678@qq.com", "1***@qq.com"),
        (PiiClass.EMAIL, "w@qq.com", "***@qq.com"),  # a one-character local part stays hidden
        (PiiClass.EMAIL, "not-an-email", "****"),
        (PiiClass.EMAIL, "@example.com", "****"),
        # PHONE: country code, first 3 and last 4 of the national number, one * per hidden digit.
        (PiiClass.PHONE, "+8613800138000", "+86 138****8000"),
        (PiiClass.PHONE, "+12025550123", "+1 202***0123"),
        (PiiClass.PHONE, "+442079460958", "+44 207***0958"),
        (PiiClass.PHONE, "+390612345678", "+39 061***5678"),  # Italian leading zero kept
        (PiiClass.PHONE, "+861012345678", "+86 101***5678"),
        # Short national numbers keep at least 3 digits hidden, taken from the head.
        (PiiClass.PHONE, "+85291234567", "+852 9***4567"),
        (PiiClass.PHONE, "+6561234567", "+65 6***4567"),
        (PiiClass.PHONE, "+29022158", "+290 ***58"),
        (PiiClass.PHONE, "+6834002", "+683 ***2"),
        (PiiClass.PHONE, "13800138000", "****"),  # not E.164: nothing to split safely
        (PiiClass.PHONE, "call me", "****"),
        # IDENTIFIER: "****" and the last 4 characters; 4 or fewer are masked fully.
        (PiiClass.IDENTIFIER, "VIP001234", "****1234"),
        (PiiClass.IDENTIFIER, "6222020200001234", "****1234"),
        (PiiClass.IDENTIFIER, "STORE:00042", "****0042"),
        (PiiClass.IDENTIFIER, "12345", "****2345"),
        (PiiClass.IDENTIFIER, "1234", "****"),
        (PiiClass.IDENTIFIER, "A1", "****"),
    ],
)
def test_mask(pii, value, masked):
    assert mask(pii, value) == masked
    assert redact_for_log(pii, value) == masked


@pytest.mark.parametrize("pii", [PiiClass.NAME, PiiClass.EMAIL, PiiClass.PHONE, PiiClass.IDENTIFIER])
@pytest.mark.parametrize("value", ["", "   "])
def test_mask_of_an_empty_value_is_empty(pii, value):
    assert mask(pii, value) == ""


@pytest.mark.parametrize("pii", [PiiClass.BIRTHDATE, PiiClass.ADDRESS_DETAIL])
def test_birthdate_and_address_have_no_masked_form(pii):
    with pytest.raises(ValueError, match="no masked form"):
        mask(pii, "1990-05-17")


@pytest.mark.parametrize(
    ("pii", "value"), [(PiiClass.BIRTHDATE, "1990-05-17"), (PiiClass.ADDRESS_DETAIL, "建国路88号")]
)
def test_redact_for_log_hides_classes_without_a_masked_form(pii, value):
    assert redact_for_log(pii, value) == "****"
    assert redact_for_log(pii, "") == ""


def _phone_examples() -> Iterator[str]:
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for number_type in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, number_type)
            if example is not None:
                yield phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


@given(st.sampled_from(sorted(set(_phone_examples()))))
def test_phone_mask_never_reveals_more_than_the_rule(e164):
    number = phonenumbers.parse(e164)
    national = phonenumbers.national_significant_number(number)
    masked = mask(PiiClass.PHONE, e164)
    prefix = f"+{number.country_code} "
    assert masked.startswith(prefix)
    body = masked.removeprefix(prefix)
    assert len(body) == len(national)
    hidden = body.count("*")
    assert hidden >= min(3, len(national))
    assert len(national) - hidden <= 7
    assert body.strip("0123456789") == "*" * hidden  # one contiguous run of asterisks
    head = len(body) - len(body.lstrip("0123456789"))
    assert head <= 3 and body[:head] == national[:head]
    assert body[head + hidden :] == national[head + hidden :]


_no_asterisk = st.text(st.characters(exclude_characters="*"), min_size=1, max_size=30)


@given(st.sampled_from(list(PiiClass)), _no_asterisk)
def test_redact_for_log_never_returns_the_value_in_clear(pii, value):
    if value.strip():
        assert redact_for_log(pii, value) != value.strip()


@given(_no_asterisk)
def test_masked_name_shows_at_most_its_first_character(name):
    masked = mask(PiiClass.NAME, name)
    assert masked in ("", "**") or (len(masked) == 3 and masked[0] == name.strip()[0])


@given(_no_asterisk, st.from_regex(r"[a-z0-9-]{1,10}\.[a-z]{2,4}", fullmatch=True))
def test_masked_email_keeps_only_the_first_character_and_the_domain(local, domain):
    local = local.replace("@", "")
    masked = mask(PiiClass.EMAIL, f"{local}@{domain}")
    if local.strip():
        assert masked.endswith(f"***@{domain}")
        assert len(masked) - len(domain) - 4 <= 1
