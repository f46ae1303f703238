"""Loyalty tiers (data), each customer's account and the points ledger."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, BigId, UTCDateTime


class Tier(Base):
    __tablename__ = "tiers"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int] = mapped_column(Integer, unique=True)
    min_spend_12m_cents: Mapped[int] = mapped_column(BigId)
    points_multiplier: Mapped[float] = mapped_column(Float)


class LoyaltyAccount(Base):
    __tablename__ = "loyalty_accounts"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tier_code: Mapped[str] = mapped_column(ForeignKey("tiers.code"), index=True)
    tier_since: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    evaluated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PointsEntry(Base):
    """One ledger line. Earn lines keep `remaining`, consumed oldest first by redemptions and
    expiry, so the balance is always the sum of `delta`."""

    __tablename__ = "points_ledger"
    __table_args__ = (Index("ix_points_ledger_customer_id_at", "customer_id", "at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    delta: Mapped[int] = mapped_column(BigId)
    reason: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    remaining: Mapped[int] = mapped_column(BigId, default=0)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), unique=True)
