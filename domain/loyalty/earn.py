"""Points earned on orders and their expiry.

An order earns floor(total x multiplier) points (total in major units, the multiplier of the tier
the customer holds when the order is recorded), expiring 365 days after the order was placed.
The earn line keeps `remaining`; redemptions (redeem.py) and expiry consume it oldest first.
One earn line per order (unique order_id), so recording or replaying an order never earns twice.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Final

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.loyalty.models import PointsEntry
from domain.loyalty.tiers import all_tiers, ensure_account, orders, raise_tier

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
    order = (
        await conn.execute(
            select(orders.c.customer_id, orders.c.placed_at, orders.c.total_cents, orders.c.status).where(
                orders.c.id == order_id
            )
        )
    ).one()
    if order.status == "RETURNED":
        return 0
    tier_code = await ensure_account(conn, order.customer_id, order.placed_at)
    multiplier = next(t.points_multiplier for t in await all_tiers(conn) if t.code == tier_code)
    points = points_for(order.total_cents, multiplier)
    credited = 0
    if points > 0:
        insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        result = await conn.execute(
            insert_(ledger)
            .values(
                customer_id=order.customer_id,
                at=order.placed_at,
                delta=points,
                reason=EARN_REASON,
                expires_at=order.placed_at + POINTS_LIFETIME,
                remaining=points,
                order_id=order_id,
            )
            .on_conflict_do_nothing(index_elements=["order_id"])
        )
        credited = points if result.rowcount else 0
    await raise_tier(conn, order.customer_id, order.placed_at)
    return credited


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
