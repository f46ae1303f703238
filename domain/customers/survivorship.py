"""Survivorship: each customer field takes the most recently seen non-empty value among its profiles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.customers.models import ChannelProfile, Customer
from domain.customers.normalize import DEFAULT_BLOCKED, BlockedIdentifiers, IdentifierKind

SURVIVING_FIELDS = (
    "display_name",
    "email",
    "phone",
    "birth_date",
    "country",
    "city",
    "district",
    "line1",
    "postal_code",
)
_KINDS = {"email": IdentifierKind.EMAIL, "phone": IdentifierKind.PHONE}
_profiles = table_of(ChannelProfile)
_customers = table_of(Customer)


def survive(profiles: Iterable[Mapping[str, Any]], blocked: BlockedIdentifiers = DEFAULT_BLOCKED) -> dict[str, Any]:
    """Pure rule: newest `last_seen_at` (then newest id) with a non-empty value wins, per field.
    A blocked placeholder (test@test.com, a store's shared phone) is not the person's: skipped."""
    ordered = sorted(profiles, key=lambda p: (p["last_seen_at"], p["id"]), reverse=True)
    result: dict[str, Any] = {}
    for name in SURVIVING_FIELDS:
        kind = _KINDS.get(name)
        result[name] = next(
            (
                p[name]
                for p in ordered
                if p[name] not in (None, "") and not (kind and blocked.is_blocked(kind, p[name]))
            ),
            None,
        )
    return result


async def refresh_customer_fields(
    conn: AsyncConnection, customer_id: int, blocked: BlockedIdentifiers = DEFAULT_BLOCKED
) -> None:
    rows = await conn.execute(
        select(_profiles.c.id, _profiles.c.last_seen_at, *[_profiles.c[name] for name in SURVIVING_FIELDS]).where(
            _profiles.c.customer_id == customer_id
        )
    )
    values = survive([dict(r._mapping) for r in rows], blocked)
    await conn.execute(update(_customers).where(_customers.c.id == customer_id).values(updated_at=utcnow(), **values))
