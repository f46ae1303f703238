"""Matching a profile to customers by identifiers and merging customers into the oldest.

Everything a customer owns carries `customer_id`, so a merge re-parents rows table by table
with set-based UPDATEs; the merged-away id keeps resolving through `customer_redirects`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Table, delete, distinct, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import pair_in, table_of, utcnow
from domain.customers.locks import lock_customers
from domain.customers.models import ChannelProfile, Customer, CustomerRedirect, Identifier, MergeEvent
from domain.db import RetryTransaction
from domain.feedback.models import Feedback
from domain.insights.purchase_days import refresh_purchase_days
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
profiles = table_of(ChannelProfile)
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

# Strongest evidence first: a member card is issued to one person, a phone is rarely shared,
# an email sometimes is.
MATCH_ORDER = ("MEMBER_CARD", "PHONE", "EMAIL", "EXTERNAL_ID")
# A merge that would give one customer more distinct values than this is not done.
MERGE_LIMITS = {"EMAIL": 5, "PHONE": 5, "MEMBER_CARD": 2}
# The MERGE_BLOCKED rule of a partner's profile that pointed at several customers.
UNTRUSTED_SOURCE = "UNTRUSTED_SOURCE"


async def current_customer(conn: AsyncConnection, profile_id: int) -> int | None:
    return (await conn.execute(select(profiles.c.customer_id).where(profiles.c.id == profile_id))).scalar_one_or_none()


async def matching_customers(conn: AsyncConnection, profile_id: int) -> dict[int, set[str]]:
    """Customers holding any identifier of the profile (other than its channel key), with the
    kinds matched. Blocked values are never stored as identifiers, so they never match."""
    mine = select(identifiers.c.kind, identifiers.c.value).where(
        identifiers.c.profile_id == profile_id, identifiers.c.kind != "EXTERNAL_ID"
    )
    keys = [(r.kind, r.value) for r in await conn.execute(mine)]
    if not keys:
        return {}
    rows = await conn.execute(
        select(identifiers.c.customer_id, identifiers.c.kind)
        .where(pair_in(identifiers.c.kind, identifiers.c.value, keys), identifiers.c.profile_id != profile_id)
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for row in rows:
        found.setdefault(row.customer_id, set()).add(row.kind)
    return found


def strongest(kinds: set[str]) -> str:
    return next((k for k in MATCH_ORDER if k in kinds), "IDENTIFIER")


def rule_for(kinds: set[str]) -> str:
    """The strongest identifier kind that matched, e.g. `PHONE match`."""
    return f"{strongest(kinds)} match"


def over_limit(counts: dict[str, int]) -> list[str]:
    """Pure rule: the identifier kinds whose distinct count exceeds the merge limit."""
    return [kind for kind, limit in MERGE_LIMITS.items() if counts.get(kind, 0) > limit]


async def identifier_counts(conn: AsyncConnection, customer_ids: Sequence[int]) -> dict[str, int]:
    """Distinct identifier values per kind that one customer made of these would hold."""
    rows = await conn.execute(
        select(identifiers.c.kind, func.count(distinct(identifiers.c.value)))
        .where(identifiers.c.customer_id.in_(customer_ids), identifiers.c.kind.in_(list(MERGE_LIMITS)))
        .group_by(identifiers.c.kind)
    )
    return {row[0]: int(row[1]) for row in rows}


async def blocking_rule(conn: AsyncConnection, customer_ids: Sequence[int]) -> str | None:
    """Why these customers must not become one, or None: a merge limit (`EMAIL limit`), or
    `UNMERGED` when staff split one of their profiles away from another of them."""
    breached = over_limit(await identifier_counts(conn, customer_ids))
    if breached:
        return f"{breached[0]} limit"
    splits = (
        await conn.execute(
            select(merge_events.c.profile_ids, merge_events.c.details).where(
                merge_events.c.customer_id.in_(customer_ids), merge_events.c.kind == "UNMERGE"
            )
        )
    ).all()
    if splits:
        owner = {
            r.id: r.customer_id
            for r in await conn.execute(
                select(profiles.c.id, profiles.c.customer_id).where(profiles.c.customer_id.in_(customer_ids))
            )
        }
        for split in splits:
            for moved in split.profile_ids:
                if moved in owner and any(
                    q in owner and owner[q] != owner[moved] for q in (split.details or {}).get("apart", [])
                ):
                    return "UNMERGED"
    return None


async def attach_to_customer(
    conn: AsyncConnection, *, profile_id: int, customer_id: int, created: bool, untrusted: bool = False
) -> tuple[int, bool]:
    """Merge the profile's customer with every customer sharing an identifier (transitively:
    each customer is already closed under matching), into the oldest; when that would break a
    merge limit or an unmerge, join only the strongest match that may be joined and record
    MERGE_BLOCKED.

    `untrusted` (a PARTNER's profile): its identifiers never merge two existing customers. When
    they point at two or more (the profile's own customer counts when it holds other profiles),
    the profile joins its strongest match only, or stays where it is when its own customer
    counts, and the rest is MERGE_BLOCKED with rule `UNTRUSTED_SOURCE` for staff to decide.
    Returns (the profile's customer id now, whether anything merged)."""
    matches = await matching_customers(conn, profile_id)
    await lock_customers(conn, [customer_id, *matches])
    # What we read before holding the locks may have been merged meanwhile: read it again.
    if await current_customer(conn, profile_id) != customer_id or await matching_customers(conn, profile_id) != matches:
        raise RetryTransaction
    matches.pop(customer_id, None)
    if not matches:
        return customer_id, False
    age = {
        r.id: (r.created_at, r.id)
        for r in await conn.execute(
            select(customers.c.id, customers.c.created_at).where(customers.c.id.in_([customer_id, *matches]))
        )
    }
    silent = [customer_id] if created else []
    if created:  # a customer made for this very profile is never "the oldest" of those matched
        age[customer_id] = (dt.datetime.max.replace(tzinfo=dt.UTC), customer_id)
    if untrusted:
        own_counts = not created and await holds_other_profiles(conn, customer_id, profile_id)
        if own_counts or len(matches) > 1:
            return await _join_strongest(
                conn, profile_id, customer_id, matches, age, silent, rule=UNTRUSTED_SOURCE, may_join=not own_counts
            )
    everyone = sorted(age, key=age.__getitem__)
    blocked_by = await blocking_rule(conn, everyone)
    if blocked_by is None:
        kinds = set().union(*matches.values())
        await merge_into(
            conn,
            survivor=everyone[0],
            others=everyone[1:],
            rule=rule_for(kinds),
            profile_ids=[profile_id],
            silent=silent,
        )
        return everyone[0], True
    return await _join_strongest(conn, profile_id, customer_id, matches, age, silent, rule=blocked_by)


async def holds_other_profiles(conn: AsyncConnection, customer_id: int, profile_id: int) -> bool:
    found = await conn.execute(
        select(profiles.c.id).where(profiles.c.customer_id == customer_id, profiles.c.id != profile_id).limit(1)
    )
    return found.first() is not None


async def _join_strongest(
    conn: AsyncConnection,
    profile_id: int,
    customer_id: int,
    matches: dict[int, set[str]],
    age: dict[int, tuple[dt.datetime, int]],
    silent: list[int],
    *,
    rule: str,
    may_join: bool = True,
) -> tuple[int, bool]:
    """Not one person (or not ours to decide): join the strongest match that may be joined, if
    any (and `may_join`), and record MERGE_BLOCKED with `rule` on every customer kept apart."""
    candidates = sorted(matches, key=lambda c: (MATCH_ORDER.index(strongest(matches[c])), age[c]))
    joined = None
    for candidate in candidates if may_join else []:
        if await blocking_rule(conn, [customer_id, candidate]) is None:
            joined = candidate
            break
    final = customer_id
    if joined is not None:
        survivor, other = sorted((customer_id, joined), key=age.__getitem__)
        await merge_into(
            conn,
            survivor=survivor,
            others=[other],
            rule=rule_for(matches[joined]),
            profile_ids=[profile_id],
            silent=silent,
        )
        final = survivor
    apart = [c for c in matches if c != joined]
    now = utcnow()
    await conn.execute(
        insert(merge_events),
        [
            {
                "customer_id": c,
                "at": now,
                "kind": "MERGE_BLOCKED",
                "rule": rule,
                "profile_ids": [profile_id],
                "details": {"keptApart": [final, *apart]},
            }
            for c in [final, *apart]
        ],
    )
    return final, joined is not None


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
    await refresh_purchase_days(conn, others)  # their orders moved: their purchase days go (the survivor's below)
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
