"""Read-side SQL for customers, profiles, identifiers and merge history (Core, bound parameters)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, case, func, select

from domain.base import table_of
from domain.customers.models import ChannelProfile, Customer, CustomerRedirect, Identifier, MergeEvent

customers = table_of(Customer)
profiles = table_of(ChannelProfile)
identifiers = table_of(Identifier)
redirects = table_of(CustomerRedirect)
merge_events = table_of(MergeEvent)


def customers_by_ids(ids: Sequence[int]) -> Select[tuple[object, ...]]:
    return select(customers).where(customers.c.id.in_(ids))


def redirect_targets(ids: Sequence[int]) -> Select[tuple[int, int]]:
    return select(redirects.c.from_id, redirects.c.customer_id).where(redirects.c.from_id.in_(ids))


def profiles_by_customer_ids(ids: Sequence[int]) -> Select[tuple[object, ...]]:
    return (
        select(profiles)
        .where(profiles.c.customer_id.in_(ids))
        .order_by(profiles.c.customer_id, profiles.c.first_seen_at, profiles.c.id)
    )


def profiles_by_ids(ids: Sequence[int]) -> Select[tuple[object, ...]]:
    return select(profiles).where(profiles.c.id.in_(ids))


def identifiers_by_customer_ids(ids: Sequence[int]) -> Select[tuple[object, ...]]:
    return (
        select(
            identifiers.c.customer_id,
            identifiers.c.kind,
            identifiers.c.value,
            func.max(case((identifiers.c.verified, 1), else_=0)).label("verified"),
        )
        .where(identifiers.c.customer_id.in_(ids))
        .group_by(identifiers.c.customer_id, identifiers.c.kind, identifiers.c.value)
        .order_by(identifiers.c.customer_id, identifiers.c.kind, identifiers.c.value)
    )


def customer_ids_by_identifier(kind: str, value: str) -> Select[tuple[int]]:
    return select(identifiers.c.customer_id).where(identifiers.c.kind == kind, identifiers.c.value == value).limit(1)


def merge_events_by_customer_ids(ids: Sequence[int]) -> Select[tuple[object, ...]]:
    return (
        select(merge_events)
        .where(merge_events.c.customer_id.in_(ids))
        .order_by(merge_events.c.customer_id, merge_events.c.at, merge_events.c.id)
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
