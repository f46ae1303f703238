"""Identifier normalization: the canonical form that identity resolution matches on.

Every identifier a profile brings (email, phone, member card, channel key) goes through one of
these functions before it is stored or compared, so "  Li@Example.COM" and "li@example.com",
or "0086-138-0013-8000" and "+8613800138000", are the same key.
"""

from __future__ import annotations

import enum
import re
import unicodedata

import phonenumbers


class IdentifierKind(enum.Enum):
    """The kinds of identifier a profile can carry (GraphQL `IdentifierKind`)."""

    EMAIL = "EMAIL"
    PHONE = "PHONE"
    MEMBER_CARD = "MEMBER_CARD"
    EXTERNAL_ID = "EXTERNAL_ID"


class InvalidIdentifier(ValueError):
    """An identifier that cannot be normalized.

    `field` names the input field (`email`, `phone`, `memberCard`, `channel`, `externalId`).
    The message says what is wrong but never repeats the value: it is personal data and ends
    up in API errors, import reports and logs.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason


# Whitespace and the invisible characters copy-paste leaves around values (`str.strip` keeps those).
_EDGES = re.compile(r"\A[\s\u200b\u200c\u200d\u2060\ufeff]+|[\s\u200b\u200c\u200d\u2060\ufeff]+\Z")
_MAX_EMAIL = 254
_MAX_EMAIL_LOCAL = 64
_MAX_MEMBER_CARD = 64
_MAX_EXTERNAL_ID = 256
_LOCAL_FORBIDDEN = frozenset('<>()[]\\,;:"@')
# "00<country code>" written where the region's own international prefix differs (US: 011).
_INTERNATIONAL_00 = re.compile(r"^([\s(\[]*)\+?\s*00(?=[\s\-.]*[1-9])")
# ASCII hyphen plus the Unicode dashes that word processors and IMEs substitute for it.
_CARD_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]+")


def _trim(raw: str) -> str:
    return _EDGES.sub("", raw)


def _clean(raw: str) -> str:
    """NFKC (the full-width at sign, digits and letters of CJK input methods become ASCII), then trim."""
    return _trim(unicodedata.normalize("NFKC", raw))


def _check_email_local(local: str) -> None:
    if not local:
        raise InvalidIdentifier("email", "has an empty local part")
    if len(local) > _MAX_EMAIL_LOCAL:
        raise InvalidIdentifier("email", "has a local part that is too long")
    if any(char in _LOCAL_FORBIDDEN for char in local):
        raise InvalidIdentifier("email", "has invalid characters in its local part")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidIdentifier("email", "has misplaced dots in its local part")


def _check_email_domain(domain: str) -> None:
    labels = domain.split(".")
    if len(labels) < 2:
        raise InvalidIdentifier("email", "has a domain without a dot")
    for label in labels:
        if not label or label.startswith("-") or label.endswith("-"):
            raise InvalidIdentifier("email", "has an invalid domain")
        if not all(char.isalnum() or char == "-" for char in label):
            raise InvalidIdentifier("email", "has invalid characters in its domain")
    if labels[-1].isdigit():
        raise InvalidIdentifier("email", "has an invalid domain")


def normalize_email(raw: str) -> str:
    """Trim and lower-case an email address after checking it has a sane shape.

    No provider-specific rewriting (gmail dots, `+tags`): those are different mailboxes as far
    as the retailer can know.
    """
    text = _clean(raw).lower()
    if not text:
        raise InvalidIdentifier("email", "is empty")
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in text):
        raise InvalidIdentifier("email", "must not contain spaces or control characters")
    if len(text) > _MAX_EMAIL:
        raise InvalidIdentifier("email", "is too long")
    if text.count("@") != 1:
        raise InvalidIdentifier("email", "must contain exactly one @")
    local, domain = text.split("@")
    _check_email_local(local)
    _check_email_domain(domain)
    return text


def normalize_phone(raw: str, default_region: str = "CN") -> str:
    """A phone number in E.164 (`+8613800138000`), read in `default_region` unless it has a
    country code. "+86 ...", "0086-...", "(+86)..." and a national "138 0013 8000" (region CN)
    all give the same number. Extensions are dropped: E.164 has none.
    """
    text = _clean(raw)
    if not text:
        raise InvalidIdentifier("phone", "is empty")
    # libphonenumber only reads "00" as the international prefix in regions that dial it.
    text = _INTERNATIONAL_00.sub(r"\1+", text, count=1)
    text = text.replace("转", " ext ")  # how Chinese forms write an extension
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidIdentifier("phone", "is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier("phone", "is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_member_card(raw: str) -> str:
    """Upper-case a member card number and remove spaces and dashes: "vip-0012 34" -> "VIP001234"."""
    text = _CARD_SEPARATORS.sub("", _clean(raw)).upper()
    if not text:
        raise InvalidIdentifier("memberCard", "is empty")
    if len(text) > _MAX_MEMBER_CARD:
        raise InvalidIdentifier("memberCard", "is too long")
    if not (text.isascii() and text.isalnum()):
        raise InvalidIdentifier("memberCard", "must contain only letters and digits")
    return text


def external_id_key(channel: str, external_id: str) -> str:
    """The key of a channel profile as an identifier: `STORE:00042`.

    The external id is the channel's own opaque id: trimmed, otherwise kept as is (case and
    leading zeros matter).
    """
    channel = _trim(channel)
    if not channel or ":" in channel:
        raise InvalidIdentifier("channel", "must be a channel name")
    external_id = _trim(external_id)
    if not external_id:
        raise InvalidIdentifier("externalId", "is empty")
    if len(external_id) > _MAX_EXTERNAL_ID:
        raise InvalidIdentifier("externalId", "is too long")
    return f"{channel}:{external_id}"


def normalize_identifier(kind: IdentifierKind, raw: str, default_region: str = "CN") -> str:
    """Normalize a value of any kind; an EXTERNAL_ID is given as its key `CHANNEL:externalId`."""
    match kind:
        case IdentifierKind.EMAIL:
            return normalize_email(raw)
        case IdentifierKind.PHONE:
            return normalize_phone(raw, default_region)
        case IdentifierKind.MEMBER_CARD:
            return normalize_member_card(raw)
        case IdentifierKind.EXTERNAL_ID:
            channel, separator, external_id = raw.partition(":")
            if not separator:
                raise InvalidIdentifier("externalId", "must be written CHANNEL:externalId")
            return external_id_key(channel, external_id)
