"""Per-customer scores and the fitted model parameters they came from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, BigId, JsonDoc, UTCDateTime


class ScoringModel(Base):
    """BG/NBD and Gamma-Gamma parameters fitted at a full refresh (time unit: weeks)."""

    __tablename__ = "scoring_models"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    fitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    customers: Mapped[int] = mapped_column(Integer)
    log_likelihood: Mapped[float] = mapped_column(Float)
    r: Mapped[float] = mapped_column(Float)
    alpha: Mapped[float] = mapped_column(Float)
    a: Mapped[float] = mapped_column(Float)
    b: Mapped[float] = mapped_column(Float)
    p: Mapped[float | None] = mapped_column(Float)
    q: Mapped[float | None] = mapped_column(Float)
    gamma: Mapped[float | None] = mapped_column(Float)
    # Where the base's r/f/m scores and value tiers change (see domain/scoring/breakpoints.py), so a
    # per-customer refresh scores one customer against the base of this fit without a full scan.
    breakpoints: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    # Both optimizers reported success and no parameter ended at a bound; else `warnings` says which.
    converged: Mapped[bool] = mapped_column(Boolean, server_default=true())
    warnings: Mapped[list[str] | None] = mapped_column(JsonDoc)
    # The holdout comparison of domain/scoring/validation.py (Validation.to_json), null when the
    # history was shorter than twice the holdout.
    validation: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)


class CustomerScore(Base):
    __tablename__ = "customer_scores"
    __table_args__ = (
        Index("ix_customer_scores_rfm_segment", "rfm_segment"),
        Index("ix_customer_scores_lifecycle_stage", "lifecycle_stage"),
        Index("ix_customer_scores_value_tier", "value_tier"),
        Index("ix_customer_scores_churn_risk", "churn_risk"),
    )

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    model_id: Mapped[int | None] = mapped_column(ForeignKey("scoring_models.id"))
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recency_days: Mapped[int | None] = mapped_column(Integer)
    frequency: Mapped[int | None] = mapped_column(Integer)
    monetary_cents: Mapped[int | None] = mapped_column(BigId)
    r: Mapped[int | None] = mapped_column(Integer)
    f: Mapped[int | None] = mapped_column(Integer)
    m: Mapped[int | None] = mapped_column(Integer)
    rfm_segment: Mapped[str | None] = mapped_column(String(30))
    historic_cents: Mapped[int] = mapped_column(BigId, default=0)
    predicted_12m_cents: Mapped[int] = mapped_column(BigId, default=0)
    expected_purchases_12m: Mapped[float] = mapped_column(Float, default=0.0)
    expected_spend_cents: Mapped[int | None] = mapped_column(BigId)  # Gamma-Gamma's, per purchase day
    probability_alive: Mapped[float] = mapped_column(Float, default=1.0)
    churn_risk: Mapped[float] = mapped_column(Float, default=0.0)
    lifecycle_stage: Mapped[str] = mapped_column(String(20))
    value_tier: Mapped[str] = mapped_column(String(10))
