"""The purchase-day rollup that `insights` counts customers from (see docs/insights.md)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, BigId

ALL_CHANNELS = "ALL"
"""The `scope` of the rows that count orders on every channel together."""


class PurchaseDay(Base):
    """One row per customer, scope (a channel, or ALL) and UTC calendar day with at least one
    order that is not RETURNED: how many such orders, and the customer's purchase days right
    before and after it in the same scope (null at either end). Derived from `orders` only, and
    rebuilt for a customer wherever that customer's orders change (domain/insights/purchase_days.py);
    no ON DELETE CASCADE, so nothing drops rows behind the back of `purchase_pair_counts`."""

    __tablename__ = "customer_purchase_days"

    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    prev_day: Mapped[dt.date | None] = mapped_column(Date)
    next_day: Mapped[dt.date | None] = mapped_column(Date)


NO_DAY_BEFORE = dt.date(1, 1, 1)
"""`second` of a DAY_PREV cell for a customer's first purchase day (no day before it)."""
NO_DAY_AFTER = dt.date(9999, 12, 31)
"""`second` of a PREV_NEXT or DAY_NEXT cell for a customer's last purchase day (none after it)."""
PAIRS = ("DAY_PREV", "PREV_NEXT", "DAY_NEXT")
"""The pairs of a purchase day's dates that `PurchasePairCount` counts: (`first`, `second`) is
(day, prev_day), (prev_day, next_day) or (day, next_day)."""


class PurchasePairCount(Base):
    """How many `customer_purchase_days` rows of a scope have a given pair of dates, and how many
    of those had a single order: a two-dimensional histogram per pair kind (PAIRS). Every
    activity count of `insights` is a sum over a range of these (domain/insights/queries.py), so
    a year reads some 10^5 cells instead of 10^7 purchase days. An aggregate over customers (no
    customer_id, like `scoring_models`), kept by the same writes as `customer_purchase_days`
    (domain/insights/pair_counts.py)."""

    __tablename__ = "purchase_pair_counts"
    __table_args__ = (
        Index(
            "ix_purchase_pair_counts_scope_pair_second_first",
            "scope",
            "pair",
            "second",
            "first",
            postgresql_include=["days", "single_order_days"],
        ),
    )

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    pair: Mapped[str] = mapped_column(String(10), primary_key=True)
    first: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    second: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    single_order_days: Mapped[int] = mapped_column(Integer)
