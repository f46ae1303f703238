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
    rebuilt for a customer wherever that customer's orders change (domain/insights/purchase_days.py)."""

    __tablename__ = "customer_purchase_days"
    __table_args__ = (
        Index(
            "ix_customer_purchase_days_scope_day",
            "scope",
            "day",
            postgresql_include=["prev_day", "next_day", "orders"],
        ),
    )

    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    prev_day: Mapped[dt.date | None] = mapped_column(Date)
    next_day: Mapped[dt.date | None] = mapped_column(Date)
