"""Ingesting a channel profile: normalize, match on identifiers, merge, apply survivorship.

One call is one unit of work on the caller's connection (the caller commits). See
docs/identity.md for the rules; they follow the contract's "Identity resolution".
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import table_of, utcnow
from domain.customers.locks import identifier_key, lock_customers, lock_keys
from domain.customers.models import ChannelProfile, Customer, Identifier
from domain.customers.new import insert_customer
from domain.customers.normalize import (
    DEFAULT_BLOCKED,
    BlockedIdentifiers,
    IdentifierKind,
    InvalidIdentifier,
    external_id_key,
    load_blocked,
    normalize_email,
    normalize_member_card,
    normalize_phone,
)
from domain.customers.resolution import attach_to_customer, current_customer
from domain.customers.survivorship import refresh_customer_fields
from domain.db import RetryTransaction
from domain.errors import Conflict, DomainError, InvalidInput
from domain.privacy.access import OPERATOR, Writer
from domain.privacy.consents import new_decisions, record_consents
from domain.privacy.models import SuppressedProfileKey

profiles = table_of(ChannelProfile)
identifiers = table_of(Identifier)
customers = table_of(Customer)
suppressed = table_of(SuppressedProfileKey)

PROFILE_FIELDS = (
    "display_name",
    "email",
    "phone",
    "member_card",
    "birth_date",
    "country",
    "city",
    "district",
    "line1",
    "postal_code",
)
_INPUT_PATH = {
    "display_name": ("displayName",),
    **{name: ("address", name) for name in ("country", "city", "district", "line1")},
    "postal_code": ("address", "postalCode"),
}
IDENTIFIER_FIELDS = (("EMAIL", "email"), ("PHONE", "phone"), ("MEMBER_CARD", "member_card"))


@dataclass(frozen=True)
class IdentityRules:
    """What identity resolution needs from the settings: the phone region and the blocked list."""

    default_region: str = "CN"
    blocked: BlockedIdentifiers = DEFAULT_BLOCKED

    @staticmethod
    @lru_cache(maxsize=8)
    def load(default_region: str, blocked_identifiers: str | None) -> IdentityRules:
        return IdentityRules(default_region, load_blocked(blocked_identifiers, default_region))

    def is_blocked(self, kind: str, value: str) -> bool:
        return self.blocked.is_blocked(IdentifierKind(kind), value)


DEFAULT_RULES = IdentityRules()


class Outcome(enum.Enum):
    CREATED = "created"  # a new profile that became a customer of its own
    UPDATED = "updated"  # a known profile whose data changed
    MERGED = "merged"  # the profile joined an existing customer, or customers merged
    UNCHANGED = "unchanged"  # nothing to do: the same data was ingested before


@dataclass(frozen=True)
class AddressData:
    country: str | None = None
    city: str | None = None
    district: str | None = None
    line1: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True)
class ProfileData:
    channel: str
    external_id: str
    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    member_card: str | None = None
    birth_date: dt.date | None = None
    address: AddressData | None = None
    seen_at: dt.datetime | None = None
    consents: tuple[tuple[str, bool], ...] = ()


@dataclass
class IngestResult:
    customer_id: int
    profile_id: int
    outcome: Outcome
    errors: list[DomainError] = field(default_factory=list)
    new_profile: bool = False  # the (channel, externalId) was not known before

    @property
    def created(self) -> bool:
        """The profile was new, whether it became a customer of its own or joined one."""
        return self.new_profile or self.outcome is Outcome.CREATED

    @property
    def merged(self) -> bool:
        return self.outcome is Outcome.MERGED


@dataclass(frozen=True)
class PreparedProfile:
    """A validated, normalized profile ready to be written (pure; see `prepare_profile`)."""

    channel: str
    external_id: str
    fields: dict[str, Any]
    seen_at: dt.datetime
    explicit_seen_at: bool
    consents: tuple[tuple[str, bool], ...]
    errors: list[DomainError]

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.external_id}"

    def lock_keys(self) -> list[str]:
        keys = [identifier_key("EXTERNAL_ID", self.key)]
        keys += [identifier_key(kind, self.fields[name]) for kind, name in IDENTIFIER_FIELDS if self.fields[name]]
        return keys


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def normalize_profile(data: ProfileData, default_region: str) -> tuple[dict[str, str | None], list[DomainError]]:
    """Normalized identifier fields; an invalid one is dropped with an INVALID_INPUT error
    (the message never repeats the value)."""
    values: dict[str, str | None] = {"email": None, "phone": None, "member_card": None}
    errors: list[DomainError] = []
    checks = (
        ("email", data.email, normalize_email),
        ("phone", data.phone, lambda raw: normalize_phone(raw, default_region)),
        ("member_card", data.member_card, normalize_member_card),
    )
    for name, raw, normalize in checks:
        if _blank(raw) is None:
            continue
        try:
            values[name] = normalize(raw or "")
        except InvalidIdentifier as exc:
            errors.append(InvalidInput(str(exc), field=["input", exc.field]))
    return values, errors


def prepare_profile(data: ProfileData, rules: IdentityRules = DEFAULT_RULES) -> PreparedProfile:
    """Validate the key and the time (raises InvalidInput) and normalize the rest; a bad field
    (an invalid identifier, a text its column cannot hold, a birth date out of range) is dropped
    and reported in `errors` while the rest of the profile is kept."""
    try:
        key = external_id_key(data.channel, data.external_id)
    except InvalidIdentifier as exc:
        raise InvalidInput(str(exc), field=["input", exc.field]) from None
    channel, _, external_id = key.partition(":")
    if data.seen_at is not None:
        limits.moment(data.seen_at, ["input", "seenAt"])
    normalized, errors = normalize_profile(data, rules.default_region)
    address = data.address or AddressData()
    texts = {
        "display_name": data.display_name,
        "country": address.country,
        "city": address.city,
        "district": address.district,
        "line1": address.line1,
        "postal_code": address.postal_code,
    }
    fields: dict[str, Any] = {**normalized, "birth_date": None}
    for name, value in texts.items():
        try:
            where = ["input", *_INPUT_PATH[name]]
            fields[name] = limits.optional_text(value, where, max_length=limits.width(profiles.c[name]))
        except InvalidInput as error:
            fields[name] = None  # left out, like an invalid identifier; the rest is kept
            errors.append(error)
    if data.birth_date is not None:
        try:
            fields["birth_date"] = limits.day(data.birth_date, ["input", "birthDate"])
        except InvalidInput as error:
            errors.append(error)
    return PreparedProfile(
        channel=channel,
        external_id=external_id,
        fields={name: fields[name] for name in PROFILE_FIELDS},
        seen_at=data.seen_at or utcnow(),
        explicit_seen_at=data.seen_at is not None,
        consents=data.consents,
        errors=errors,
    )


def matching_keys(values: dict[str, Any], key: str, rules: IdentityRules) -> set[tuple[str, str]]:
    """The identifier rows a profile holds: its channel key, and every identifier that is not
    on the blocked list (a blocked value stays on the profile but never links anyone)."""
    keys = {("EXTERNAL_ID", key)}
    for kind, name in IDENTIFIER_FIELDS:
        value = values.get(name)
        if value and not rules.is_blocked(kind, value):
            keys.add((kind, value))
    return keys


async def ingest_profile(
    conn: AsyncConnection, data: ProfileData, rules: IdentityRules = DEFAULT_RULES, writer: Writer = OPERATOR
) -> IngestResult:
    """Ingest one profile as `writer` (a PARTNER's data merges and grants less: see
    `attach_to_customer` and `domain.privacy.access.Writer`)."""
    prepared = prepare_profile(data, rules)
    await lock_keys(conn, prepared.lock_keys())
    return await write_profile(conn, prepared, rules, writer)


async def check_not_suppressed(conn: AsyncConnection, channel: str, external_id: str) -> None:
    found = await conn.execute(
        select(suppressed.c.channel).where(suppressed.c.channel == channel, suppressed.c.external_id == external_id)
    )
    if found.first():
        raise Conflict("this profile was erased on request and cannot be ingested again", field=["input", "externalId"])


def profile_changes(existing: Any, p: PreparedProfile) -> dict[str, Any]:
    """What an ingest changes on a known profile. A newer sighting overwrites with its non-empty
    values; an older one (stale) only fills fields that are still empty."""
    newer = p.seen_at >= existing.last_seen_at
    changes = {
        name: value
        for name, value in p.fields.items()
        if value is not None and getattr(existing, name) != value and (newer or getattr(existing, name) is None)
    }
    if p.seen_at > existing.last_seen_at and (changes or p.explicit_seen_at):
        changes["last_seen_at"] = p.seen_at
    if p.seen_at < existing.first_seen_at:
        changes["first_seen_at"] = p.seen_at
    return changes


async def write_profile(
    conn: AsyncConnection, p: PreparedProfile, rules: IdentityRules, writer: Writer = OPERATOR
) -> IngestResult:
    """Insert or update the profile, sync its identifiers, match and merge, record consents."""
    await check_not_suppressed(conn, p.channel, p.external_id)
    existing = (
        await conn.execute(
            select(profiles).where(profiles.c.channel == p.channel, profiles.c.external_id == p.external_id)
        )
    ).first()
    if existing is None:
        customer_id = await insert_customer(conn, created_at=p.seen_at, updated_at=utcnow())
        profile_id = (
            await conn.execute(
                insert(profiles)
                .values(
                    customer_id=customer_id,
                    channel=p.channel,
                    external_id=p.external_id,
                    first_seen_at=p.seen_at,
                    last_seen_at=p.seen_at,
                    **p.fields,
                )
                .returning(profiles.c.id)
            )
        ).scalar_one()
        outcome, final = Outcome.CREATED, p.fields
    else:
        profile_id, customer_id = existing.id, existing.customer_id
        await lock_customers(conn, [customer_id])
        if await current_customer(conn, profile_id) != customer_id:
            raise RetryTransaction  # merged away while we waited for the lock
        changes = profile_changes(existing, p)
        if changes:
            await conn.execute(update(profiles).where(profiles.c.id == profile_id).values(**changes))
        outcome = Outcome.UPDATED if changes else Outcome.UNCHANGED
        final = {**{name: getattr(existing, name) for name in PROFILE_FIELDS}, **changes}

    keys_changed = await sync_identifiers(conn, profile_id, customer_id, matching_keys(final, p.key, rules))
    survivor, merged = customer_id, False
    if outcome is not Outcome.UNCHANGED or keys_changed:
        survivor, merged = await attach_to_customer(
            conn,
            profile_id=profile_id,
            customer_id=customer_id,
            created=outcome is Outcome.CREATED,
            untrusted=writer.untrusted,
        )
    decisions = await new_decisions(
        conn, profile_id=profile_id, decisions=p.consents, at=p.seen_at, explicit_time=p.explicit_seen_at
    )
    if decisions:
        await record_consents(
            conn,
            customer_id=survivor,
            decisions=decisions,
            source=p.key,
            at=p.seen_at,
            trusted=writer.trusts_consent(p.channel),
            profile_id=profile_id,
        )
        if outcome is Outcome.UNCHANGED:
            outcome = Outcome.UPDATED
    if outcome is not Outcome.UNCHANGED or merged:
        await refresh_customer_fields(conn, survivor, rules.blocked)
    new_profile = outcome is Outcome.CREATED
    if merged:
        outcome = Outcome.MERGED
    return IngestResult(
        customer_id=survivor, profile_id=profile_id, outcome=outcome, errors=list(p.errors), new_profile=new_profile
    )


async def sync_identifiers(
    conn: AsyncConnection, profile_id: int, customer_id: int, want: set[tuple[str, str]]
) -> bool:
    """Make the profile's identifier rows exactly `want`; whether anything changed."""
    rows = (
        await conn.execute(
            select(identifiers.c.id, identifiers.c.kind, identifiers.c.value).where(
                identifiers.c.profile_id == profile_id
            )
        )
    ).all()
    have = {(r.kind, r.value): r.id for r in rows}
    stale = [row_id for key, row_id in have.items() if key not in want]
    added = sorted(want - have.keys())
    if stale:
        await conn.execute(delete(identifiers).where(identifiers.c.id.in_(stale)))
    if added:
        await conn.execute(
            insert(identifiers),
            [
                {"customer_id": customer_id, "profile_id": profile_id, "kind": k, "value": v, "verified": False}
                for k, v in added
            ],
        )
    return bool(stale or added)
