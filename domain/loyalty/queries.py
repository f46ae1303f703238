"""Read-side SQL for loyalty: the tiers, and one account's summary (Core, bound parameters)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, and_, func, literal, select

from domain.base import table_of
from domain.loyalty.models import LoyaltyAccount, PointsEntry, Tier
from domain.orders.models import Order

tiers = table_of(Tier)
accounts = table_of(LoyaltyAccount)
ledger = table_of(PointsEntry)
_orders = table_of(Order)

BASE_TIER = "MEMBER"
SPEND_WINDOW = dt.timedelta(days=365)
EXPIRY_NOTICE = dt.timedelta(days=30)


def all_tiers() -> Select[tuple[object, ...]]:
    """Every tier, lowest rank first."""
    return select(tiers).order_by(tiers.c.rank)


def unexpired_earnings(customer_id: int, now: dt.datetime) -> Select[tuple[object, ...]]:
    """Earn entries with points left that have not expired, oldest first (the redemption order)."""
    return (
        select(ledger.c.id, ledger.c.remaining)
        .where(
            ledger.c.customer_id == customer_id,
            ledger.c.delta > 0,
            ledger.c.remaining > 0,
            (ledger.c.expires_at.is_(None)) | (ledger.c.expires_at > now),
        )
        .order_by(ledger.c.at, ledger.c.id)
    )


def account_summary(customer_id: int, now: dt.datetime) -> Select[tuple[object, ...]]:
    """One row: the account's tier (MEMBER without an account row), points balance (the sum of
    the ledger), points expiring within 30 days, and spend over the last 365 days."""
    balance = (
        select(func.coalesce(func.sum(ledger.c.delta), 0)).where(ledger.c.customer_id == customer_id).scalar_subquery()
    )
    expiring = (
        select(func.coalesce(func.sum(ledger.c.remaining), 0))
        .where(
            ledger.c.customer_id == customer_id,
            ledger.c.delta > 0,
            ledger.c.expires_at > now,
            ledger.c.expires_at <= now + EXPIRY_NOTICE,
        )
        .scalar_subquery()
    )
    spend = (
        select(func.coalesce(func.sum(_orders.c.total_cents), 0))
        .where(
            _orders.c.customer_id == customer_id,
            _orders.c.status != "RETURNED",
            _orders.c.placed_at > now - SPEND_WINDOW,
            _orders.c.placed_at <= now,
        )
        .scalar_subquery()
    )
    tier_code = select(accounts.c.tier_code).where(accounts.c.customer_id == customer_id).scalar_subquery()
    return select(
        literal(customer_id).label("customer_id"),
        tiers.c.code,
        tiers.c.name,
        tiers.c.min_spend_12m_cents,
        tiers.c.points_multiplier,
        balance.label("points_balance"),
        expiring.label("points_expiring_30d"),
        spend.label("spend_12m_cents"),
    ).where(and_(tiers.c.code == func.coalesce(tier_code, BASE_TIER)))
