"""normalize_phone: one number written many ways, regions, rejects, properties."""

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.customers.normalize import InvalidIdentifier, normalize_phone


def fullwidth(text: str) -> str:
    """What a CJK input method in full-width mode types for ASCII text."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


SAME_CN_MOBILE = [
    "+86 13800138000",
    "+8613800138000",
    "0086-138-0013-8000",
    "0086 138 0013 8000",
    "008613800138000",
    "+0086 13800138000",
    "(0086)13800138000",
    "138 0013 8000",
    "138-0013-8000",
    "13800138000",
    " 13800138000 ",
    "(+86)138-0013-8000",
    "(+86) 138 0013 8000",
    "+86 (138) 0013-8000",
    "86 13800138000",
    "+86.138.0013.8000",
    fullwidth("13800138000"),
    "tel:+86-138-0013-8000",
    "+86 138 0013 8000 ext. 12",  # extension dropped
    "13800138000转12",
]


@pytest.mark.parametrize("raw", SAME_CN_MOBILE)
def test_normalize_phone_variants_of_one_cn_mobile(raw):
    assert normalize_phone(raw) == "+8613800138000"


@pytest.mark.parametrize("raw", ["+86 13800138000", "0086-138-0013-8000", "(+86)138-0013-8000", "0086 138 0013 8000"])
def test_international_forms_do_not_depend_on_default_region(raw):
    # The US dials 011, so libphonenumber alone would read "0086..." as a US national number.
    assert normalize_phone(raw, default_region="US") == "+8613800138000"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(202) 555-0123", "US", "+12025550123"),
        ("202.555.0123", "US", "+12025550123"),
        ("1-202-555-0123", "US", "+12025550123"),
        ("+1 202 555 0123", "CN", "+12025550123"),
        ("001 202 555 0123", "CN", "+12025550123"),
        ("001 202 555 0123", "US", "+12025550123"),
        ("010-12345678", "CN", "+861012345678"),  # Beijing landline with trunk prefix
        ("+86 10 1234 5678", "US", "+861012345678"),
        ("021 5555 0000", "CN", "+862155550000"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("0044 20 7946 0958", "CN", "+442079460958"),
        ("+852 9123 4567", "CN", "+85291234567"),
        ("138 0013 8000", "cn", "+8613800138000"),  # region case does not matter
    ],
)
def test_normalize_phone_regions(raw, region, expected):
    assert normalize_phone(raw, default_region=region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("", "CN"),
        ("   ", "CN"),
        ("n/a", "CN"),
        ("无", "CN"),
        ("12345", "CN"),
        ("11111111111", "CN"),  # 11 digits but not a Chinese mobile range
        ("1380013800", "CN"),  # one digit short
        ("138001380001", "CN"),  # one digit long
        ("+86 123", "CN"),
        ("138 0013 8000", "US"),  # a national CN number read as US
        ("+1 555 555 5555", "CN"),
        ("000 138 0013 8000", "CN"),
        ("+", "CN"),
        ("13800138000" * 30, "CN"),
    ],
)
def test_normalize_phone_rejects_invalid_numbers(raw, region):
    with pytest.raises(InvalidIdentifier) as caught:
        normalize_phone(raw, default_region=region)
    assert caught.value.field == "phone"


_national_cn_mobile = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@given(_national_cn_mobile)
def test_cn_mobile_formats_normalize_equal(national):
    number = phonenumbers.parse(national, "CN")
    assume(phonenumbers.is_valid_number(number))
    expected = "+86" + national
    formats = [
        national,
        f"{national[:3]} {national[3:7]} {national[7:]}",
        f"{national[:3]}-{national[3:7]}-{national[7:]}",
        f"+86 {national}",
        f"0086-{national}",
        f"(+86){national[:3]}-{national[3:7]}-{national[7:]}",
    ]
    for raw in formats:
        assert normalize_phone(raw) == expected
    assert normalize_phone(expected, default_region="US") == expected


_FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.RFC3966,
]


def test_every_region_example_normalizes_to_its_e164_in_every_format():
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number(region)
        assert example is not None
        expected = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        for number_format in _FORMATS:
            written = phonenumbers.format_number(example, number_format)
            assert normalize_phone(written, default_region=region) == expected, (region, written)
            assert normalize_phone(expected, default_region="CN") == expected


@given(st.text(max_size=30) | st.text(alphabet="0123456789 +-().", min_size=5, max_size=20))
def test_phone_normalization_is_idempotent_on_any_accepted_input(raw):
    try:
        once = normalize_phone(raw)
    except InvalidIdentifier:
        return
    assert normalize_phone(once) == once
    assert normalize_phone(once, default_region="US") == once
