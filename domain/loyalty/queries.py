"""Read-side SQL for tiers, loyalty accounts and the points ledger (built once, bound parameters).

An account is computed per customer in one statement: the tier (MEMBER without an account row),
the balance (sum of every ledger delta), the earned points still unspent that expire within 30
days, and the spend over the last 365 days (orders not RETURNED).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from domain.base import key_in, table_of
from domain.customers.filters import DEFAULT_TIER
from domain.customers.models import Customer
from domain.loyalty.models import LoyaltyAccount, PointsEntry, Tier
from domain.orders.models import Order
from domain.paging import PerCustomerPages

tiers = table_of(Tier)
accounts = table_of(LoyaltyAccount)
ledger = table_of(PointsEntry)
_customers = table_of(Customer)
_orders = table_of(Order)

EXPIRY_WINDOW = dt.timedelta(days=30)
SPEND_WINDOW = dt.timedelta(days=365)

ALL_TIERS = select(tiers).order_by(tiers.c.rank)
LEDGER_PAGES = PerCustomerPages(ledger, time_column="at", filters={})

_balance = select(func.coalesce(func.sum(ledger.c.delta), 0)).where(ledger.c.customer_id == _customers.c.id)
_expiring = select(func.coalesce(func.sum(ledger.c.remaining), 0)).where(
    ledger.c.customer_id == _customers.c.id,
    ledger.c.delta > 0,
    ledger.c.remaining > 0,
    ledger.c.expires_at > bindparam("now"),
    ledger.c.expires_at <= bindparam("expiry_horizon"),
)
_spend = select(func.coalesce(func.sum(_orders.c.total_cents), 0)).where(
    _orders.c.customer_id == _customers.c.id,
    _orders.c.status != "RETURNED",
    _orders.c.placed_at > bindparam("spend_since"),
    _orders.c.placed_at <= bindparam("now"),
)
ACCOUNTS_BY_CUSTOMER_IDS = (
    select(
        _customers.c.id.label("customer_id"),
        tiers.c.code.label("tier_code"),
        tiers.c.name.label("tier_name"),
        tiers.c.min_spend_12m_cents,
        tiers.c.points_multiplier,
        _balance.scalar_subquery().label("points_balance"),
        _expiring.scalar_subquery().label("points_expiring"),
        _spend.scalar_subquery().label("spend_12m_cents"),
    )
    .select_from(
        _customers.outerjoin(accounts, accounts.c.customer_id == _customers.c.id).join(
            tiers, tiers.c.code == func.coalesce(accounts.c.tier_code, DEFAULT_TIER)
        )
    )
    .where(key_in(_customers.c.id, "ids"))
)


def account_params(customer_ids: list[int], now: dt.datetime) -> dict[str, Any]:
    return {"ids": customer_ids, "now": now, "expiry_horizon": now + EXPIRY_WINDOW, "spend_since": now - SPEND_WINDOW}


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
