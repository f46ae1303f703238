"""The one consent-aware masking policy for personal data.

Every personal value the service shows (customer fields, channel profiles, identifiers, exports,
error messages, logs) is classed once (`PiiClass`) and passed through `apply`, which asks
`decide` whether the caller sees it in clear, masked or not at all, and `mask` for the masked
form. Both follow the table in the public contract ("Consent-aware masking").
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

from domain.privacy.purposes import ConsentPurpose
from domain.privacy.roles import Role


class PiiClass(enum.Enum):
    """The class of a personal field; the policy is decided per class, not per field."""

    NAME = "NAME"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    BIRTHDATE = "BIRTHDATE"
    ADDRESS_DETAIL = "ADDRESS_DETAIL"  # address line1 and postal code
    IDENTIFIER = "IDENTIFIER"  # member cards, channel keys


class Visibility(enum.Enum):
    """How a caller sees one value: as stored, in its masked form, or as null."""

    CLEAR = "CLEAR"
    MASKED = "MASKED"
    HIDDEN = "HIDDEN"


@dataclass(frozen=True)
class Rule:
    """`if_granted` when the customer granted `purpose` (or no purpose is needed), else `otherwise`."""

    if_granted: Visibility
    otherwise: Visibility
    purpose: ConsentPurpose | None = None

    def visibility(self, granted: frozenset[str]) -> Visibility:
        if self.purpose is None or self.purpose in granted:
            return self.if_granted
        return self.otherwise


_CLEAR = Rule(Visibility.CLEAR, Visibility.CLEAR)
_MASKED = Rule(Visibility.MASKED, Visibility.MASKED)
_HIDDEN = Rule(Visibility.HIDDEN, Visibility.HIDDEN)

_CONTACT_RULES = {
    Role.ADMIN: _CLEAR,
    Role.SUPPORT_AGENT: _CLEAR,
    Role.MARKETER: Rule(Visibility.CLEAR, Visibility.MASKED, ConsentPurpose.MARKETING),
    Role.ANALYST: _MASKED,
    Role.PARTNER: _CLEAR,
}
_POLICY: dict[PiiClass, dict[Role, Rule]] = {
    PiiClass.NAME: _CONTACT_RULES,
    PiiClass.EMAIL: _CONTACT_RULES,
    PiiClass.PHONE: _CONTACT_RULES,
    PiiClass.IDENTIFIER: _CONTACT_RULES,
    PiiClass.BIRTHDATE: {
        Role.ADMIN: _CLEAR,
        Role.SUPPORT_AGENT: _HIDDEN,
        Role.MARKETER: Rule(Visibility.CLEAR, Visibility.HIDDEN, ConsentPurpose.PERSONALIZATION),
        Role.ANALYST: _HIDDEN,
        Role.PARTNER: _HIDDEN,
    },
    PiiClass.ADDRESS_DETAIL: {
        Role.ADMIN: _CLEAR,
        Role.SUPPORT_AGENT: _CLEAR,
        Role.MARKETER: _HIDDEN,
        Role.ANALYST: _HIDDEN,
        Role.PARTNER: _HIDDEN,
    },
}

_OPAQUE = "****"  # what a value becomes when no part of it may be shown
_NAME_MASK = "**"
_EMAIL_MASK = "***"
_PHONE_HEAD, _PHONE_TAIL, _PHONE_MIN_HIDDEN = 3, 4, 3
_IDENTIFIER_TAIL = 4


# Roles that see a customer at all only while it grants a purpose; any other customer is absent
# for them (null, left out of lists and counts). domain/privacy/access.py turns this into SQL.
_SEEN_ONLY_WITH: dict[Role, ConsentPurpose] = {Role.PARTNER: ConsentPurpose.THIRD_PARTY_SHARING}


def consent_dependent(role: Role) -> bool:
    """Whether what `role` sees of a customer depends on the customer's consents at all (read
    from the table: a purpose in any of its cells, or to see the customer)."""
    return role in _CONSENT_DEPENDENT


def visibility_purpose(role: Role) -> ConsentPurpose | None:
    """The purpose a customer must grant for `role` to see it at all (None: every customer)."""
    return _SEEN_ONLY_WITH.get(role)


def may_see(role: Role, granted: frozenset[str]) -> bool:
    """Whether `role` may see a customer whose policy-granted purposes are `granted` at all."""
    purpose = visibility_purpose(role)
    return purpose is None or purpose in granted


_CONSENT_DEPENDENT = frozenset(
    role for role in Role if role in _SEEN_ONLY_WITH or any(cells[role].purpose for cells in _POLICY.values())
)


def rule(pii: PiiClass, role: Role) -> Rule:
    """The policy's cell for (class, role): what lookups and filters turn into SQL."""
    return _POLICY[pii][role]


def decide(pii: PiiClass, role: Role, granted: frozenset[str]) -> Visibility:
    """How `role` sees a value of class `pii` of a customer whose granted purposes (as the policy
    counts them: `domain.privacy.access.policy_purposes`) are `granted`.

    Callers leave out customers the role may not see first; should one slip through, every value
    of it is HIDDEN here too.
    """
    if not may_see(role, granted):
        return Visibility.HIDDEN
    return _POLICY[pii][role].visibility(granted)


def _mask_name(name: str) -> str:
    # A one-character value would be shown whole: show none of it.
    return _NAME_MASK if len(name) == 1 else name[0] + _NAME_MASK


def _mask_email(email: str) -> str:
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        return _OPAQUE
    kept = local[0] if len(local) > 1 else ""  # a one-character local part would be shown whole
    return f"{kept}{_EMAIL_MASK}@{domain}"


def _mask_phone(phone: str) -> str:
    try:
        number = phonenumbers.parse(phone, None)  # E.164 only: no region to guess with
    except phonenumbers.NumberParseException:
        return _OPAQUE
    national = phonenumbers.national_significant_number(number)
    if not national:
        return _OPAQUE
    # First 3 and last 4 of the national number; on short numbers (under 10 digits) at least
    # 3 digits stay hidden, taken from the head first: the tail is what people recognise.
    hidden = max(len(national) - _PHONE_HEAD - _PHONE_TAIL, min(_PHONE_MIN_HIDDEN, len(national)))
    shown = len(national) - hidden
    tail = min(_PHONE_TAIL, shown)
    head = shown - tail
    return f"+{number.country_code} {national[:head]}{'*' * hidden}{national[len(national) - tail :]}"


def _mask_identifier(identifier: str) -> str:
    if len(identifier) <= _IDENTIFIER_TAIL:
        return _OPAQUE
    return _OPAQUE + identifier[-_IDENTIFIER_TAIL:]


_MASKERS: dict[PiiClass, Callable[[str], str]] = {
    PiiClass.NAME: _mask_name,
    PiiClass.EMAIL: _mask_email,
    PiiClass.PHONE: _mask_phone,
    PiiClass.IDENTIFIER: _mask_identifier,
}


def mask(pii: PiiClass, value: str) -> str:
    """The masked form of `value`: `李**`, `l***@example.com`, `+86 138****8000`, `****1234`.

    Surrounding whitespace is ignored and an empty value stays empty. BIRTHDATE and
    ADDRESS_DETAIL have no masked form (the policy hides them instead): `ValueError`.
    """
    masker = _MASKERS.get(pii)
    if masker is None:
        raise ValueError(f"{pii.name} has no masked form")
    value = value.strip()
    return masker(value) if value else ""


def apply(pii: PiiClass, role: Role, granted: frozenset[str], value: str | None) -> str | None:
    """`value` as `role` may see it: as is, masked, or None (hidden). None stays None."""
    if value is None:
        return None
    match decide(pii, role, granted):
        case Visibility.CLEAR:
            return value
        case Visibility.MASKED:
            return mask(pii, value)
        case Visibility.HIDDEN:
            return None


def redact_for_log(pii: PiiClass, value: str) -> str:
    """A personal value as it may appear in logs and error messages: never in clear.

    The masked form where the class has one, else an opaque `****`.
    """
    if pii not in _MASKERS:
        return _OPAQUE if value.strip() else ""
    return mask(pii, value)


_IDENTIFIER_CLASSES = {"EMAIL": PiiClass.EMAIL, "PHONE": PiiClass.PHONE}


def identifier_class(kind: str) -> PiiClass:
    """The class of an identifier's value: an email or phone is masked as one; member cards and
    channel keys (`STORE:00042`) are IDENTIFIER."""
    return _IDENTIFIER_CLASSES.get(kind, PiiClass.IDENTIFIER)
