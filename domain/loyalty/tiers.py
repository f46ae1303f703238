"""Loyalty tiers: spend over the last 365 days, raised at once by an order, re-evaluated daily.

A tier rises as soon as an order takes the 365-day spend across a threshold, and falls (or rises)
only at the periodic evaluation, which sets every account to the tier its spend earns that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ScalarSelect, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.loyalty.models import LoyaltyAccount, Tier
from domain.orders.models import Order

tiers = table_of(Tier)
accounts = table_of(LoyaltyAccount)
orders = table_of(Order)

SPEND_WINDOW: Final = dt.timedelta(days=365)


@dataclass(frozen=True)
class TierRow:
    code: str
    rank: int
    min_spend_12m_cents: int
    points_multiplier: float


async def all_tiers(conn: AsyncConnection) -> list[TierRow]:
    rows = (await conn.execute(select(tiers).order_by(tiers.c.rank))).all()
    return [TierRow(r.code, r.rank, r.min_spend_12m_cents, r.points_multiplier) for r in rows]


def tier_for(spend_cents: int, ladder: list[TierRow]) -> TierRow:
    """The highest tier whose threshold the spend reaches (the lowest tier when none does)."""
    reached = [t for t in ladder if t.min_spend_12m_cents <= spend_cents]
    return reached[-1] if reached else ladder[0]


def _spend_since(customer_id: Any, since: Any, until: Any) -> ScalarSelect[Any]:
    return (
        select(func.coalesce(func.sum(orders.c.total_cents), 0))
        .where(
            orders.c.customer_id == customer_id,
            orders.c.status != "RETURNED",
            orders.c.placed_at > since,
            orders.c.placed_at <= until,
        )
        # Correlated to the account being evaluated, also when nested inside the tier lookup of
        # an UPDATE (auto-correlation stops at the first enclosing SELECT: the sum would cover
        # every account's orders and give everyone the tier of the whole base's spend).
        .correlate_except(orders)
        .scalar_subquery()
    )


async def evaluate_tiers(conn: AsyncConnection, now: dt.datetime) -> int:
    """Set every account to the tier its spend over the 365 days before `now` earns (up or down).
    Returns how many accounts changed tier."""
    spend = _spend_since(accounts.c.customer_id, now - SPEND_WINDOW, now)
    earned = (
        select(tiers.c.code)
        .where(tiers.c.min_spend_12m_cents <= spend)
        .order_by(tiers.c.rank.desc())
        .limit(1)
        .scalar_subquery()
    )
    lowest = select(tiers.c.code).order_by(tiers.c.rank).limit(1).scalar_subquery()
    target = func.coalesce(earned, lowest)
    result = await conn.execute(
        update(accounts)
        .where(accounts.c.tier_code != target)
        .values(tier_code=target, tier_since=now, evaluated_at=now)
    )
    await conn.execute(update(accounts).values(evaluated_at=now))
    return int(result.rowcount or 0)
