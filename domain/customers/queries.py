"""Read-side SQL for customers, profiles, identifiers and merge history (Core, bound parameters)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, case, func, select

from domain.base import key_in, table_of
from domain.customers.models import ChannelProfile, Customer, CustomerRedirect, Identifier, MergeEvent
from domain.paging import by_ids
from domain.privacy.access import clear_condition
from domain.privacy.masking import identifier_class
from domain.privacy.roles import Role

customers = table_of(Customer)
profiles = table_of(ChannelProfile)
identifiers = table_of(Identifier)
redirects = table_of(CustomerRedirect)
merge_events = table_of(MergeEvent)


# Built once; loaders bind the keys as `:ids` (resolvers/common/loaders.py).
CUSTOMERS_BY_IDS = by_ids(customers)
REDIRECT_TARGETS = select(redirects.c.from_id, redirects.c.customer_id).where(key_in(redirects.c.from_id, "ids"))
PROFILES_BY_CUSTOMER_IDS = (
    select(profiles)
    .where(key_in(profiles.c.customer_id, "ids"))
    .order_by(profiles.c.customer_id, profiles.c.first_seen_at, profiles.c.id)
)
PROFILES_BY_IDS = by_ids(profiles)
IDENTIFIERS_BY_CUSTOMER_IDS = (
    select(
        identifiers.c.customer_id,
        identifiers.c.kind,
        identifiers.c.value,
        func.max(case((identifiers.c.verified, 1), else_=0)).label("verified"),
    )
    .where(key_in(identifiers.c.customer_id, "ids"))
    .group_by(identifiers.c.customer_id, identifiers.c.kind, identifiers.c.value)
    .order_by(identifiers.c.customer_id, identifiers.c.kind, identifiers.c.value)
)
MERGE_EVENTS_BY_CUSTOMER_IDS = (
    select(merge_events)
    .where(key_in(merge_events.c.customer_id, "ids"))
    .order_by(merge_events.c.customer_id, merge_events.c.at, merge_events.c.id)
)


def customer_ids_by_identifier(kind: str, value: str, role: Role) -> Select[tuple[int]]:
    """The customer holding the identifier, when `role` reads that value of it in clear (and may
    see it): a lookup must not find what the caller could not read."""
    return (
        select(identifiers.c.customer_id)
        .where(
            identifiers.c.kind == kind,
            identifiers.c.value == value,
            clear_condition(identifier_class(kind), role, identifiers.c.customer_id),
        )
        .limit(1)
    )


def customer_page(
    conditions: Sequence[ColumnElement[bool]], after_id: int | None, limit: int
) -> Select[tuple[object, ...]]:
    """One keyset page of customers by id (stable while rows are inserted)."""
    stmt = select(customers).where(*conditions)
    if after_id is not None:
        stmt = stmt.where(customers.c.id > after_id)
    return stmt.order_by(customers.c.id).limit(limit)


def customer_count(conditions: Sequence[ColumnElement[bool]]) -> Select[int]:
    return select(func.count()).select_from(customers).where(*conditions)
