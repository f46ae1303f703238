"""Ingesting a channel profile: normalize, match on identifiers, merge, apply survivorship.

One call is one unit of work on the caller's connection (the caller commits). See
docs/identity.md for the rules; they follow the contract's "Identity resolution".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.customers.models import ChannelProfile, Customer, Identifier
from domain.customers.normalize import (
    InvalidIdentifier,
    normalize_email,
    normalize_member_card,
    normalize_phone,
)
from domain.customers.resolution import attach_to_customer
from domain.customers.survivorship import refresh_customer_fields
from domain.errors import Conflict, DomainError, InvalidInput
from domain.privacy.consents import record_consents
from domain.privacy.models import SuppressedProfileKey

profiles = table_of(ChannelProfile)
identifiers = table_of(Identifier)
customers = table_of(Customer)
suppressed = table_of(SuppressedProfileKey)


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
    created: bool  # the (channel, externalId) profile did not exist before
    merged: bool  # the profile joined an existing customer (or customers merged)
    errors: list[DomainError] = field(default_factory=list)


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def normalize_profile(data: ProfileData, default_region: str) -> tuple[dict[str, str | None], list[DomainError]]:
    """Normalized identifier fields; an invalid one is dropped with an INVALID_INPUT error."""
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
            camel = {"member_card": "memberCard"}.get(name, name)
            errors.append(InvalidInput(str(exc), field=["input", camel]))
    return values, errors


async def ingest_profile(conn: AsyncConnection, data: ProfileData, *, default_region: str = "CN") -> IngestResult:
    external_id = data.external_id.strip()
    if not external_id:
        raise InvalidInput("externalId must not be empty", field=["input", "externalId"])
    if (
        await conn.execute(
            select(suppressed.c.channel).where(
                suppressed.c.channel == data.channel, suppressed.c.external_id == external_id
            )
        )
    ).first():
        raise Conflict("this profile was erased on request and cannot be ingested again", field=["input", "externalId"])
    normalized, errors = normalize_profile(data, default_region)
    seen_at = data.seen_at or utcnow()
    address = data.address or AddressData()
    fields = {
        "display_name": _blank(data.display_name),
        "email": normalized["email"],
        "phone": normalized["phone"],
        "member_card": normalized["member_card"],
        "birth_date": data.birth_date,
        "country": _blank(address.country),
        "city": _blank(address.city),
        "district": _blank(address.district),
        "line1": _blank(address.line1),
        "postal_code": _blank(address.postal_code),
    }
    keys: list[tuple[str, str]] = [("EXTERNAL_ID", f"{data.channel}:{external_id}")]
    for kind, name in (("EMAIL", "email"), ("PHONE", "phone"), ("MEMBER_CARD", "member_card")):
        value = normalized[name]
        if value:
            keys.append((kind, value))

    existing = (
        await conn.execute(
            select(profiles.c.id, profiles.c.customer_id, profiles.c.last_seen_at).where(
                profiles.c.channel == data.channel, profiles.c.external_id == external_id
            )
        )
    ).first()
    if existing is None:
        customer_id = (
            await conn.execute(
                insert(customers).values(created_at=seen_at, updated_at=seen_at).returning(customers.c.id)
            )
        ).scalar_one()
        profile_id = (
            await conn.execute(
                insert(profiles)
                .values(
                    customer_id=customer_id,
                    channel=data.channel,
                    external_id=external_id,
                    first_seen_at=seen_at,
                    last_seen_at=seen_at,
                    **fields,
                )
                .returning(profiles.c.id)
            )
        ).scalar_one()
        created = True
    else:
        profile_id, customer_id = existing.id, existing.customer_id
        # A stale update (older than what we hold) keeps the newer values.
        if existing.last_seen_at is None or seen_at >= existing.last_seen_at:
            values = {k: v for k, v in fields.items() if v is not None}
            values["last_seen_at"] = seen_at
            await conn.execute(update(profiles).where(profiles.c.id == profile_id).values(**values))
        created = False

    await conn.execute(delete(identifiers).where(identifiers.c.profile_id == profile_id))
    await conn.execute(
        insert(identifiers),
        [
            {"customer_id": customer_id, "profile_id": profile_id, "kind": k, "value": v, "verified": False}
            for k, v in keys
        ],
    )
    survivor, merged = await attach_to_customer(conn, profile_id=profile_id, customer_id=customer_id, created=created)
    await record_consents(
        conn,
        customer_id=survivor,
        decisions=data.consents,
        source=f"{data.channel}:{external_id}",
        at=seen_at,
        profile_id=profile_id,
    )
    await refresh_customer_fields(conn, survivor)
    return IngestResult(customer_id=survivor, profile_id=profile_id, created=created, merged=merged, errors=errors)
