"""Staff decisions on identity: merging two customers by hand, splitting a profile back out.

Both are reversible records: every one writes MergeEvents with the rule and the profiles
involved, and a merged-away id keeps resolving to the survivor.
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.customers.ingest import DEFAULT_RULES, IdentityRules
from domain.customers.locks import lock_customers
from domain.customers.models import ChannelProfile, Customer, CustomerRedirect, Identifier, MergeEvent
from domain.customers.new import insert_customer
from domain.customers.resolution import current_customer, merge_into
from domain.customers.survivorship import refresh_customer_fields
from domain.db import RetryTransaction
from domain.errors import Conflict, NotFound
from domain.feedback.models import Feedback
from domain.loyalty.models import PointsEntry
from domain.orders.models import Order, OrderLine
from domain.orders.stats import refresh_order_stats
from domain.privacy.consents import rebuild_current_consents
from domain.privacy.models import ConsentRecord

customers = table_of(Customer)
profiles = table_of(ChannelProfile)
identifiers = table_of(Identifier)
redirects = table_of(CustomerRedirect)
merge_events = table_of(MergeEvent)
orders = table_of(Order)
order_lines = table_of(OrderLine)
points = table_of(PointsEntry)
feedback = table_of(Feedback)
consent_history = table_of(ConsentRecord)


async def resolve_customer(conn: AsyncConnection, customer_id: int, field: str) -> int:
    """The live customer behind an id, following a merge redirect; NOT_FOUND otherwise."""
    found = (await conn.execute(select(customers.c.id).where(customers.c.id == customer_id))).scalar_one_or_none()
    if found is None:
        found = (
            await conn.execute(select(redirects.c.customer_id).where(redirects.c.from_id == customer_id))
        ).scalar_one_or_none()
    if found is None:
        raise NotFound("no such customer", field=[field])
    return int(found)


async def merge_customers(
    conn: AsyncConnection, *, target_id: int, source_id: int, rules: IdentityRules = DEFAULT_RULES
) -> int:
    """Staff merge: `source` moves into `target`, which keeps its id whatever their ages. The
    automatic merge limits do not apply: a person decided. Returns the target's id."""
    target = await resolve_customer(conn, target_id, "targetId")
    source = await resolve_customer(conn, source_id, "sourceId")
    if target == source:
        raise Conflict("these ids already belong to the same customer", field=["sourceId"])
    await lock_customers(conn, [target, source])
    # A concurrent merge may have removed one of them while we waited for the locks.
    if (
        await resolve_customer(conn, target, "targetId") != target
        or await resolve_customer(conn, source, "sourceId") != source
    ):
        raise RetryTransaction
    moved = (await conn.execute(select(profiles.c.id).where(profiles.c.customer_id == source))).scalars().all()
    await merge_into(conn, survivor=target, others=[source], rule="MANUAL", profile_ids=list(moved))
    await refresh_customer_fields(conn, target, rules.blocked)
    return target


async def unmerge_profile(conn: AsyncConnection, *, profile_id: int, rules: IdentityRules = DEFAULT_RULES) -> int:
    """Split one profile out into a new customer of its own, with what it brought: its
    identifiers, the orders it placed (their lines, the points they earned, feedback about
    them) and the consents it captured. Both customers' survivorship, consents and order
    statistics are recomputed, and both get an UNMERGE event. Returns the new customer's id."""
    source = await current_customer(conn, profile_id)
    if source is None:
        raise NotFound("no such channel profile", field=["profileId"])
    await lock_customers(conn, [source])
    if await current_customer(conn, profile_id) != source:
        raise RetryTransaction
    others = (
        (await conn.execute(select(profiles.c.id).where(profiles.c.customer_id == source, profiles.c.id != profile_id)))
        .scalars()
        .all()
    )
    if not others:
        raise Conflict("this profile is already a customer of its own", field=["profileId"])
    now = utcnow()
    split = await insert_customer(conn, created_at=now, updated_at=now)
    placed = select(orders.c.id).where(orders.c.profile_id == profile_id).scalar_subquery()
    moves = (
        (profiles, profiles.c.id == profile_id),
        (identifiers, identifiers.c.profile_id == profile_id),
        (orders, orders.c.profile_id == profile_id),
        (order_lines, order_lines.c.order_id.in_(placed)),
        (points, points.c.order_id.in_(placed)),
        (feedback, feedback.c.order_id.in_(placed)),
        (consent_history, consent_history.c.profile_id == profile_id),
    )
    for table, condition in moves:
        await conn.execute(update(table).where(table.c.customer_id == source, condition).values(customer_id=split))
    for customer_id in (source, split):
        await rebuild_current_consents(conn, customer_id)
        await refresh_customer_fields(conn, customer_id, rules.blocked)
    await refresh_order_stats(conn, [source, split])
    await conn.execute(
        insert(merge_events),
        [
            {
                "customer_id": customer_id,
                "at": now,
                "kind": "UNMERGE",
                "rule": "MANUAL",
                "profile_ids": [profile_id],
                # Identity resolution keeps `apart` from the moved profile until staff merge them.
                "details": {"from": source, "to": split, "apart": sorted(others)},
            }
            for customer_id in (source, split)
        ],
    )
    return int(split)
