"""Keyword-only factories for the CRM tests: rows written with the domain code or plain Core."""

from __future__ import annotations

import datetime as dt
import decimal
import itertools

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import table_of
from domain.customers.ingest import ProfileData, ingest_profile
from domain.customers.models import ChannelProfile
from domain.loyalty.models import LoyaltyAccount, PointsEntry
from domain.orders.record import LineData, OrderData, record_order
from domain.scoring.models import CustomerScore

_seq = itertools.count(1)


async def create_customer(
    engine: AsyncEngine, *, channel: str = "WEB", seen_at: dt.datetime | None = None, email: str | None = None
) -> int:
    n = next(_seq)
    async with engine.begin() as conn:
        result = await ingest_profile(
            conn, ProfileData(channel=channel, external_id=f"x-{n}", email=email, seen_at=seen_at)
        )
    return result.customer_id


async def create_order(
    engine: AsyncEngine,
    *,
    customer_id: int,
    placed_at: dt.datetime,
    total: str = "100.00",
    channel: str | None = None,
    status: str = "PLACED",
) -> int:
    """An order placed by one of the customer's profiles (on `channel` when given)."""
    profiles = table_of(ChannelProfile)
    async with engine.begin() as conn:
        stmt = select(profiles.c.channel, profiles.c.external_id).where(profiles.c.customer_id == customer_id)
        if channel is not None:
            stmt = stmt.where(profiles.c.channel == channel)
        profile = (await conn.execute(stmt.order_by(profiles.c.id))).first()
        assert profile is not None, "the customer has no profile on that channel"
        result = await record_order(
            conn,
            OrderData(
                channel=profile.channel,
                external_id=f"o-{next(_seq)}",
                customer_external_id=profile.external_id,
                placed_at=placed_at,
                lines=(LineData(sku="SKU", name="Thing", quantity=1, unit_price=decimal.Decimal(total)),),
                status=status,
            ),
        )
    return result.order_id


async def set_scores(
    engine: AsyncEngine, *, customer_id: int, value_tier: str = "LOW", predicted_12m_cents: int = 0
) -> None:
    now = dt.datetime.now(dt.UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(table_of(CustomerScore)).values(
                customer_id=customer_id,
                as_of=now,
                computed_at=now,
                lifecycle_stage="GROWING",
                value_tier=value_tier,
                predicted_12m_cents=predicted_12m_cents,
            )
        )


async def set_tier(engine: AsyncEngine, *, customer_id: int, tier_code: str) -> None:
    """Put the customer in a tier (replacing the account its orders may have opened)."""
    async with engine.begin() as conn:
        await conn.execute(
            delete(table_of(LoyaltyAccount)).where(table_of(LoyaltyAccount).c.customer_id == customer_id)
        )
        await conn.execute(
            insert(table_of(LoyaltyAccount)).values(
                customer_id=customer_id, tier_code=tier_code, tier_since=dt.datetime.now(dt.UTC)
            )
        )


async def earn_points(
    engine: AsyncEngine, *, customer_id: int, points: int, at: dt.datetime, expires_at: dt.datetime | None = None
) -> int:
    """An earn entry written directly, the way the earning job writes them."""
    async with engine.begin() as conn:
        return int(
            (
                await conn.execute(
                    insert(table_of(PointsEntry))
                    .values(
                        customer_id=customer_id,
                        at=at,
                        delta=points,
                        remaining=points,
                        reason="order",
                        expires_at=expires_at if expires_at is not None else at + dt.timedelta(days=365),
                    )
                    .returning(table_of(PointsEntry).c.id)
                )
            ).scalar_one()
        )
