"""Points earned on orders and their expiry.

An order earns floor(total x multiplier) points (total in major units, the multiplier of the tier
the customer holds when the order is recorded), expiring 365 days after the order was placed.
The earn line keeps `remaining`; redemptions (redeem.py) and expiry consume it oldest first.
One earn line per order (unique order_id), so recording or replaying an order never earns twice.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Final

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.db import insert_rows
from domain.loyalty.models import PointsEntry
from domain.loyalty.tiers import SPEND_WINDOW, accounts, all_tiers, orders, tier_for

ledger = table_of(PointsEntry)

POINTS_LIFETIME: Final = dt.timedelta(days=365)
EARN_REASON: Final = "order"
EXPIRY_REASON: Final = "expired"


def points_for(total_cents: int, multiplier: float) -> int:
    """floor(total x multiplier), exact in decimals (1.2 is 6/5, not 1.19999...)."""
    return max(0, math.floor(Fraction(total_cents, 100) * Fraction(str(multiplier))))


async def earn_for_order(conn: AsyncConnection, order_id: int) -> int:
    """Credit the order's points and raise the tier if its spend crossed a threshold.
    Returns the points credited by this call (0 when already credited or for a returned order)."""
    return await earn_for_orders(conn, [order_id])


@dataclass
class _Account:
    tier: str
    since: dt.datetime | None  # set when the tier changed in this call
    new: bool = False


@dataclass
class _History:
    """A customer's counted orders placed before the ones being credited, sorted by time, with
    prefix sums: the spend of any window in two bisections."""

    at: list[dt.datetime] = field(default_factory=list)
    cumulative: list[int] = field(default_factory=lambda: [0])

    def spend(self, after: dt.datetime, until: dt.datetime) -> int:
        return self.cumulative[bisect_right(self.at, until)] - self.cumulative[bisect_right(self.at, after)]


async def earn_for_orders(conn: AsyncConnection, order_ids: Sequence[int]) -> int:
    """Credit a batch of just-recorded orders, in the order given, exactly as one `earn_for_order`
    after each recording would: each order earns at the multiplier of the tier its customer holds
    when it is credited, then raises the tier to what the 365-day spend at its `placed_at` reaches,
    counting the orders recorded before it (earlier in `order_ids`, or already in the database)
    and itself. A few statements for the whole batch. Returns the points credited."""
    if not order_ids:
        return 0
    rows = {
        r.id: r
        for r in await conn.execute(
            select(orders.c.id, orders.c.customer_id, orders.c.placed_at, orders.c.total_cents, orders.c.status).where(
                orders.c.id.in_(list(order_ids))
            )
        )
    }
    batch = [rows[i] for i in dict.fromkeys(order_ids) if i in rows and rows[i].status != "RETURNED"]
    if not batch:
        return 0
    credited_before = set(
        (await conn.execute(select(ledger.c.order_id).where(ledger.c.order_id.in_([o.id for o in batch])))).scalars()
    )
    batch = [o for o in batch if o.id not in credited_before]
    if not batch:
        return 0
    ladder = await all_tiers(conn)
    multiplier = {t.code: t.points_multiplier for t in ladder}
    rank = {t.code: t.rank for t in ladder}
    customer_ids = sorted({o.customer_id for o in batch})
    accounts_of = {
        r.customer_id: _Account(str(r.tier_code), None)
        for r in await conn.execute(
            select(accounts.c.customer_id, accounts.c.tier_code).where(accounts.c.customer_id.in_(customer_ids))
        )
    }
    history = await _histories(conn, customer_ids, batch)
    recorded: dict[int, list[tuple[dt.datetime, int]]] = {}  # this batch's orders so far, per customer
    entries = []
    for o in batch:
        account = accounts_of.get(o.customer_id)
        if account is None:
            account = accounts_of[o.customer_id] = _Account(ladder[0].code, o.placed_at, new=True)
        points = points_for(o.total_cents, multiplier[account.tier])
        if points > 0:
            entries.append(
                {
                    "customer_id": o.customer_id,
                    "at": o.placed_at,
                    "delta": points,
                    "reason": EARN_REASON,
                    "expires_at": o.placed_at + POINTS_LIFETIME,
                    "remaining": points,
                    "order_id": o.id,
                }
            )
        mine = recorded.setdefault(o.customer_id, [])
        mine.append((o.placed_at, o.total_cents))
        after = o.placed_at - SPEND_WINDOW
        spend = history[o.customer_id].spend(after, o.placed_at) + sum(
            cents for at, cents in mine if after < at <= o.placed_at
        )
        reached = tier_for(spend, ladder)
        if reached.rank > rank.get(account.tier, -1):
            account.tier, account.since = reached.code, o.placed_at
    await _write_accounts(conn, accounts_of)
    await insert_rows(conn, ledger, entries)
    return sum(int(e["delta"]) for e in entries)


async def _histories(conn: AsyncConnection, customer_ids: list[int], batch: list[Any]) -> dict[int, _History]:
    """Each customer's counted orders, other than the batch's, that a window of the batch can see."""
    history = {c: _History() for c in customer_ids}
    mine = {o.id for o in batch}
    earliest = min(o.placed_at for o in batch) - SPEND_WINDOW
    latest = max(o.placed_at for o in batch)
    found = await conn.execute(
        select(orders.c.id, orders.c.customer_id, orders.c.placed_at, orders.c.total_cents)
        .where(
            orders.c.customer_id.in_(customer_ids),
            orders.c.status != "RETURNED",
            orders.c.placed_at > earliest,
            orders.c.placed_at <= latest,
        )
        .order_by(orders.c.customer_id, orders.c.placed_at)
    )
    for r in found:
        if r.id not in mine:
            h = history[r.customer_id]
            h.at.append(r.placed_at)
            h.cumulative.append(h.cumulative[-1] + int(r.total_cents))
    return history


async def _write_accounts(conn: AsyncConnection, accounts_of: dict[int, _Account]) -> None:
    opened = [{"customer_id": c, "tier_code": a.tier, "tier_since": a.since} for c, a in accounts_of.items() if a.new]
    await insert_rows(conn, accounts, opened)
    raised = [
        {"cid": c, "tier": a.tier, "since": a.since}
        for c, a in accounts_of.items()
        if not a.new and a.since is not None
    ]
    if raised:
        await conn.execute(
            update(accounts)
            .where(accounts.c.customer_id == bindparam("cid"))
            .values(tier_code=bindparam("tier"), tier_since=bindparam("since")),
            raised,
        )


async def expire_points(conn: AsyncConnection, now: dt.datetime) -> int:
    """Write off what remains of every earn line expired by `now` with a negative entry dated at its
    expiry. Returns the points written off; a second run writes off nothing."""
    expired = (
        await conn.execute(
            select(ledger.c.id, ledger.c.customer_id, ledger.c.expires_at, ledger.c.remaining).where(
                ledger.c.delta > 0, ledger.c.remaining > 0, ledger.c.expires_at <= now
            )
        )
    ).all()
    if not expired:
        return 0
    await conn.execute(
        insert(ledger),
        [
            {
                "customer_id": e.customer_id,
                "at": e.expires_at,
                "delta": -e.remaining,
                "reason": EXPIRY_REASON,
                "remaining": 0,
            }
            for e in expired
        ],
    )
    await conn.execute(update(ledger).where(ledger.c.id.in_([e.id for e in expired])).values(remaining=0))
    return sum(int(e.remaining) for e in expired)
