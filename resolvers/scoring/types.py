"""Scores (RFM, CLV, churn, lifecycle, value tier) and the fitted scoring model."""

from __future__ import annotations

import datetime as dt
import decimal

import strawberry

from resolvers.common.enums import LifecycleStage, RfmSegment, ValueTier


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
