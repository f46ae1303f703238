"""Points follow a merge; the survivor keeps the highest tier among the merged accounts, and
rises at once when the combined spend of the last 365 days reaches a higher one (a tier rises as
soon as spend crosses a threshold; it falls only at the periodic evaluation)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.customers.merge_handlers import MergeHandler, register
from domain.db import insert_rows
from domain.loyalty.models import PointsEntry
from domain.loyalty.tiers import SPEND_WINDOW, accounts, all_tiers, orders, tier_for


async def _absorbed(conn: AsyncConnection, survivor: int, others: Sequence[int]) -> None:
    rank = {t.code: t.rank for t in await all_tiers(conn)}
    held = (
        await conn.execute(
            select(accounts.c.customer_id, accounts.c.tier_code, accounts.c.tier_since).where(
                accounts.c.customer_id.in_([survivor, *others])
            )
        )
    ).all()
    await conn.execute(delete(accounts).where(accounts.c.customer_id.in_(others)))
    if not held:
        return
    best = max(held, key=lambda a: (rank.get(a.tier_code, -1), a.customer_id == survivor))
    if best.customer_id == survivor:
        return
    if any(a.customer_id == survivor for a in held):
        await conn.execute(
            update(accounts)
            .where(accounts.c.customer_id == survivor)
            .values(tier_code=best.tier_code, tier_since=best.tier_since)
        )
    else:
        await insert_rows(
            conn, accounts, [{"customer_id": survivor, "tier_code": best.tier_code, "tier_since": best.tier_since}]
        )


async def _merged(conn: AsyncConnection, survivor: int, _others: Sequence[int]) -> None:
    current = (
        await conn.execute(select(accounts.c.tier_code).where(accounts.c.customer_id == survivor))
    ).scalar_one_or_none()
    if current is None:
        return  # no order ever earned: no account to raise
    now = utcnow()
    spend = (
        await conn.execute(
            select(func.coalesce(func.sum(orders.c.total_cents), 0)).where(
                orders.c.customer_id == survivor,
                orders.c.status != "RETURNED",
                orders.c.placed_at > now - SPEND_WINDOW,
                orders.c.placed_at <= now,
            )
        )
    ).scalar_one()
    ladder = await all_tiers(conn)
    rank = {t.code: t.rank for t in ladder}
    reached = tier_for(int(spend), ladder)
    if reached.rank > rank.get(str(current), -1):
        await conn.execute(
            update(accounts).where(accounts.c.customer_id == survivor).values(tier_code=reached.code, tier_since=now)
        )


HANDLER = register(
    MergeHandler("loyalty", follow=(table_of(PointsEntry),), state=(accounts,), absorbed=_absorbed, merged=_merged)
)
