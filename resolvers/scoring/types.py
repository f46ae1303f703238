"""Scores (RFM, CLV, churn, lifecycle, value tier) and the fitted scoring model."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import strawberry

from resolvers.common.enums import LifecycleStage, RfmSegment, ValueTier
from resolvers.common.scalars import money


@strawberry.type(description="RFM over the 730 days before the as-of date (see docs/scoring.md).")
class Rfm:
    recency_days: int
    frequency: int
    monetary: decimal.Decimal
    r: int
    f: int
    m: int
    segment: RfmSegment


@strawberry.type(description="Customer lifetime value: all-time spend and the BG/NBD x Gamma-Gamma forecast.")
class Clv:
    historic: decimal.Decimal
    predicted12m: decimal.Decimal = strawberry.field(name="predicted12m")
    expected_purchases12m: float = strawberry.field(name="expectedPurchases12m")


@strawberry.type
class Scores:
    rfm: Rfm | None
    clv: Clv | None
    probability_alive: float
    churn_risk: float
    lifecycle_stage: LifecycleStage
    value_tier: ValueTier
    computed_at: dt.datetime

    @classmethod
    def of(cls, row: Any) -> Scores:
        """From a customer_scores row; `rfm` is null when the customer had no order in the window."""
        rfm = None
        if row.r is not None:
            rfm = Rfm(
                recency_days=row.recency_days,
                frequency=row.frequency,
                monetary=money(row.monetary_cents),
                r=row.r,
                f=row.f,
                m=row.m,
                segment=RfmSegment(row.rfm_segment),
            )
        return cls(
            rfm=rfm,
            clv=Clv(
                historic=money(row.historic_cents),
                predicted12m=money(row.predicted_12m_cents),
                expected_purchases12m=float(row.expected_purchases_12m or 0.0),
            ),
            probability_alive=float(row.probability_alive),
            churn_risk=float(row.churn_risk),
            lifecycle_stage=LifecycleStage(row.lifecycle_stage),
            value_tier=ValueTier(row.value_tier),
            computed_at=row.computed_at,
        )


@strawberry.type(description="BG/NBD parameters; time unit: weeks.")
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float


@strawberry.type(description="Gamma-Gamma spend model parameters.")
class GammaGammaParams:
    p: float
    q: float
    gamma: float


@strawberry.type(description="The models fitted at the last full refresh.")
class ScoringModel:
    as_of: dt.datetime
    fitted_at: dt.datetime
    customers: int
    log_likelihood: float
    bgnbd: BgNbdParams
    gamma_gamma: GammaGammaParams | None

    @classmethod
    def of(cls, row: Any) -> ScoringModel:
        gamma_gamma = None
        if row.p is not None and row.q is not None and row.gamma is not None:
            gamma_gamma = GammaGammaParams(p=row.p, q=row.q, gamma=row.gamma)
        return cls(
            as_of=row.as_of,
            fitted_at=row.fitted_at,
            customers=row.customers,
            log_likelihood=row.log_likelihood,
            bgnbd=BgNbdParams(r=row.r, alpha=row.alpha, a=row.a, b=row.b),
            gamma_gamma=gamma_gamma,
        )
