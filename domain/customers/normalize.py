"""Identifier normalization: the canonical form that identity resolution matches on.

Every identifier a profile brings (email, phone, member card, channel key) goes through one of
these functions before it is stored or compared, so "  Li@Example.COM" and "li@example.com",
or "0086-138-0013-8000" and "+8613800138000", are the same key. Placeholder values that many
unrelated customers type in (test@test.com, 13800000000) are listed in `BlockedIdentifiers` so
they never glue strangers together.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from domain import limits


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
MAX_EXTERNAL_ID = 200  # the width of every external_id column (channel_profiles, orders, suppressions)
_LOCAL_FORBIDDEN = frozenset('<>()[]\\,;:"@')
# "00<country code>" written where the region's own international prefix differs (US: 011).
_INTERNATIONAL_00 = re.compile(r"^([\s(\[]*)\+?\s*00(?=[\s\-.]*[1-9])")
# ASCII hyphen plus the Unicode dashes that word processors and IMEs substitute for it.
_CARD_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]+")


def _trim(raw: str) -> str:
    return _EDGES.sub("", raw)


def _clean(raw: str, field: str) -> str:
    """NFKC (the full-width at sign, digits and letters of CJK input methods become ASCII), then trim."""
    if limits.NUL in raw:
        raise InvalidIdentifier(field, "must not contain NUL characters")
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
    text = _clean(raw, "email").lower()
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
    text = _clean(raw, "phone")
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


# Common ways of writing a country that are not its ISO 3166 code (case-insensitive).
_COUNTRY_NAMES = {
    "china": "CN", "中国": "CN", "prc": "CN", "people's republic of china": "CN", "mainland china": "CN",
    "hong kong": "HK", "香港": "HK", "macau": "MO", "macao": "MO", "澳门": "MO", "taiwan": "TW", "台湾": "TW",
    "united kingdom": "GB", "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "英国": "GB",
    "united states": "US", "united states of america": "US", "usa": "US", "america": "US", "美国": "US",
    "canada": "CA", "australia": "AU", "new zealand": "NZ", "ireland": "IE", "germany": "DE",
    "deutschland": "DE", "france": "FR", "spain": "ES", "italy": "IT", "netherlands": "NL",
    "japan": "JP", "日本": "JP", "south korea": "KR", "korea": "KR", "韩国": "KR", "singapore": "SG",
    "新加坡": "SG", "malaysia": "MY", "thailand": "TH", "india": "IN", "vietnam": "VN", "viet nam": "VN",
    "philippines": "PH", "indonesia": "ID", "russia": "RU", "brazil": "BR", "mexico": "MX",
    "uae": "AE", "united arab emirates": "AE",
}  # fmt: skip
_ISO3 = {"CHN": "CN", "GBR": "GB", "USA": "US", "HKG": "HK", "MAC": "MO", "TWN": "TW", "JPN": "JP", "KOR": "KR",
         "SGP": "SG", "AUS": "AU", "CAN": "CA", "DEU": "DE", "FRA": "FR"}  # fmt: skip


def region_of_country(country: str | None) -> str | None:
    """The phone region a profile's `address.country` names: an ISO 3166 alpha-2 (or common
    alpha-3) code, or a common country name ("United Kingdom", "UK", "中国"); None when it names
    none that phone numbers know."""
    text = unicodedata.normalize("NFKC", country or "").strip()
    if not text:
        return None
    upper = text.upper()
    code = upper if len(upper) == 2 else _ISO3.get(upper) or _COUNTRY_NAMES.get(text.casefold())
    if code == "UK":
        code = "GB"
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def normalize_member_card(raw: str) -> str:
    """Upper-case a member card number and remove spaces and dashes: "vip-0012 34" -> "VIP001234"."""
    text = _CARD_SEPARATORS.sub("", _clean(raw, "memberCard")).upper()
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
    problem = limits.text_problem(external_id, max_length=MAX_EXTERNAL_ID, required=True)
    if problem is not None:
        raise InvalidIdentifier("externalId", problem)
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


@dataclass(frozen=True)
class BlockedIdentifiers:
    """Normalized identifier values that must never link profiles (placeholders, shared numbers).

    `email_local_parts` blocks a local part at any domain (`noemail@` anything).
    """

    emails: frozenset[str] = frozenset()
    email_local_parts: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    member_cards: frozenset[str] = frozenset()
    external_ids: frozenset[str] = frozenset()

    def is_blocked(self, kind: IdentifierKind, normalized_value: str) -> bool:
        """Whether an already normalized value is on the list."""
        match kind:
            case IdentifierKind.EMAIL:
                local = normalized_value.rpartition("@")[0]
                return normalized_value in self.emails or local in self.email_local_parts
            case IdentifierKind.PHONE:
                return normalized_value in self.phones
            case IdentifierKind.MEMBER_CARD:
                return normalized_value in self.member_cards
            case IdentifierKind.EXTERNAL_ID:
                return normalized_value in self.external_ids

    def union(self, other: BlockedIdentifiers) -> BlockedIdentifiers:
        return BlockedIdentifiers(
            emails=self.emails | other.emails,
            email_local_parts=self.email_local_parts | other.email_local_parts,
            phones=self.phones | other.phones,
            member_cards=self.member_cards | other.member_cards,
            external_ids=self.external_ids | other.external_ids,
        )


# fmt: off
_DEFAULT_EMAILS = (
    "test@test.com", "a@a.com", "abc@abc.com", "none@none.com", "no@no.com", "na@na.com",
    "null@null.com", "xxx@xxx.com", "email@email.com", "123@123.com", "noemail@noemail.com",
    "test@qq.com", "test@163.com", "test@gmail.com",
)
_DEFAULT_EMAIL_LOCAL_PARTS = (
    "noemail", "no-email", "no_email", "nomail", "none", "noreply", "no-reply", "donotreply",
    "do-not-reply", "unknown", "null",
)
# Mobile numbers of one repeated digit and the usual keyboard fillers, read in region CN.
_DEFAULT_PHONES = (
    "13000000000", "13800000000", "13900000000", "18000000000", "13888888888", "13333333333",
    "15555555555", "16666666666", "17777777777", "18888888888", "19999999999", "13812345678",
    "13912345678", "+12345678900",
)
# fmt: on

DEFAULT_BLOCKED = BlockedIdentifiers(
    emails=frozenset(normalize_email(value) for value in _DEFAULT_EMAILS),
    email_local_parts=frozenset(_DEFAULT_EMAIL_LOCAL_PARTS),
    phones=frozenset(normalize_phone(value, "CN") for value in _DEFAULT_PHONES),
    member_cards=frozenset({"0" * length for length in range(1, 17)} | {"NA", "NONE", "NULL", "TEST"}),
)


def load_blocked(extra: str | None, default_region: str = "CN") -> BlockedIdentifiers:
    """`DEFAULT_BLOCKED` plus a comma-separated `KIND:value` list (e.g. the retailer's store
    phones from `C360_BLOCKED_IDENTIFIERS`): `PHONE:021-5555 0000,EMAIL:shop@x.cn,
    EMAIL:noemail@*,MEMBER_CARD:999999,EXTERNAL_ID:STORE:walk-in`. Values are normalized like
    incoming identifiers; an entry that cannot be is a configuration error (`ValueError`).
    """
    if not extra or not extra.strip():
        return DEFAULT_BLOCKED
    buckets: dict[IdentifierKind, set[str]] = {kind: set() for kind in IdentifierKind}
    local_parts: set[str] = set()
    for position, entry in enumerate(extra.split(","), start=1):
        entry = entry.strip()
        if not entry:
            continue
        kind_name, separator, value = entry.partition(":")
        try:
            kind = IdentifierKind[kind_name.strip().upper()]
        except KeyError:
            kinds = ", ".join(kind.name for kind in IdentifierKind)
            raise ValueError(f"blocked identifier entry {position}: kind must be one of {kinds}") from None
        if not separator:
            raise ValueError(f"blocked identifier entry {position}: expected KIND:value")
        try:
            if kind is IdentifierKind.EMAIL and value.strip().endswith("@*"):
                local = _clean(value, "email").lower().removesuffix("@*")
                _check_email_local(local)
                local_parts.add(local)
            else:
                buckets[kind].add(normalize_identifier(kind, value, default_region))
        except InvalidIdentifier as error:
            raise ValueError(f"blocked identifier entry {position}: {error}") from None
    extra_blocked = BlockedIdentifiers(
        emails=frozenset(buckets[IdentifierKind.EMAIL]),
        email_local_parts=frozenset(local_parts),
        phones=frozenset(buckets[IdentifierKind.PHONE]),
        member_cards=frozenset(buckets[IdentifierKind.MEMBER_CARD]),
        external_ids=frozenset(buckets[IdentifierKind.EXTERNAL_ID]),
    )
    return DEFAULT_BLOCKED.union(extra_blocked)
