"""Matching a profile to customers by identifiers and merging customers into the oldest.

Everything a customer owns carries `customer_id`, so a merge re-parents rows table by table
with set-based UPDATEs; the merged-away id keeps resolving through `customer_redirects`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, delete, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.customers.models import ChannelProfile, Customer, CustomerRedirect, Identifier, MergeEvent
from domain.feedback.models import Feedback
from domain.jobs.models import Job
from domain.loyalty.models import LoyaltyAccount, PointsEntry
from domain.orders.models import Order, OrderLine
from domain.orders.stats import refresh_order_stats
from domain.privacy.consents import rebuild_current_consents
from domain.privacy.models import ConsentRecord, CurrentConsent
from domain.scoring.models import CustomerScore
from domain.service.models import Ticket

customers = table_of(Customer)
identifiers = table_of(Identifier)
redirects = table_of(CustomerRedirect)
merge_events = table_of(MergeEvent)

# Rows that follow their customer through a merge.
FOLLOW_CUSTOMER: tuple[Table, ...] = tuple(
    table_of(m)
    for m in (
        ChannelProfile,
        Identifier,
        Order,
        OrderLine,
        PointsEntry,
        Ticket,
        Feedback,
        ConsentRecord,
        MergeEvent,
        Job,
    )
)
# Per-customer state that the survivor recomputes instead.
DROP_ON_MERGE: tuple[Table, ...] = tuple(table_of(m) for m in (CurrentConsent, CustomerScore, LoyaltyAccount))

MATCH_ORDER = ("MEMBER_CARD", "PHONE", "EMAIL", "EXTERNAL_ID")


async def matching_customers(conn: AsyncConnection, profile_id: int) -> dict[int, set[str]]:
    """Customers (other than the profile's own) holding any identifier of the profile, with the kinds matched."""
    mine = select(identifiers.c.kind, identifiers.c.value).where(
        identifiers.c.profile_id == profile_id, identifiers.c.kind != "EXTERNAL_ID"
    )
    keys = [(r.kind, r.value) for r in await conn.execute(mine)]
    if not keys:
        return {}
    rows = await conn.execute(
        select(identifiers.c.customer_id, identifiers.c.kind)
        .where(tuple_(identifiers.c.kind, identifiers.c.value).in_(keys), identifiers.c.profile_id != profile_id)
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for row in rows:
        found.setdefault(row.customer_id, set()).add(row.kind)
    return found


def rule_for(kinds: set[str]) -> str:
    """The strongest identifier kind that matched, e.g. `PHONE match`."""
    strongest = next((k for k in MATCH_ORDER if k in kinds), "IDENTIFIER")
    return f"{strongest} match"


async def attach_to_customer(
    conn: AsyncConnection, *, profile_id: int, customer_id: int, created: bool
) -> tuple[int, bool]:
    """Merge the profile's customer with every customer sharing an identifier; returns
    (surviving customer id, whether anything merged)."""
    matches = await matching_customers(conn, profile_id)
    matches.pop(customer_id, None)
    if not matches:
        return customer_id, False
    ids = [customer_id, *matches]
    ordered = (
        (
            await conn.execute(
                select(customers.c.id).where(customers.c.id.in_(ids)).order_by(customers.c.created_at, customers.c.id)
            )
        )
        .scalars()
        .all()
    )
    survivor, others = ordered[0], list(ordered[1:])
    kinds = set().union(*matches.values())
    await merge_into(
        conn,
        survivor=survivor,
        others=others,
        rule=rule_for(kinds),
        profile_ids=[profile_id],
        silent=[customer_id] if created else [],
    )
    return survivor, True


async def merge_into(
    conn: AsyncConnection,
    *,
    survivor: int,
    others: Sequence[int],
    rule: str,
    profile_ids: Sequence[int],
    silent: Sequence[int] = (),
) -> None:
    """Move everything of `others` to `survivor`, leave redirects, record one MERGE event.
    Ids in `silent` were created in this same call and never seen by anyone: no redirect."""
    if not others:
        return
    for table in FOLLOW_CUSTOMER:
        await conn.execute(update(table).where(table.c.customer_id.in_(others)).values(customer_id=survivor))
    for table in DROP_ON_MERGE:
        await conn.execute(delete(table).where(table.c.customer_id.in_(others)))
    await conn.execute(update(redirects).where(redirects.c.customer_id.in_(others)).values(customer_id=survivor))
    visible = [o for o in others if o not in silent]
    if visible:
        now = utcnow()
        await conn.execute(
            insert(redirects), [{"from_id": o, "customer_id": survivor, "merged_at": now} for o in visible]
        )
    await conn.execute(delete(customers).where(customers.c.id.in_(others)))
    await conn.execute(
        insert(merge_events).values(
            customer_id=survivor,
            at=utcnow(),
            kind="MERGE",
            rule=rule,
            profile_ids=list(profile_ids),
            details={"mergedCustomerIds": visible},
        )
    )
    await rebuild_current_consents(conn, survivor)
    await refresh_order_stats(conn, [survivor])
