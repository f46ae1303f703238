"""Scores (RFM, CLV, churn, lifecycle, value tier) and the fitted scoring model."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import strawberry

from domain.scoring.validation import Validation
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
    expected_spend_per_purchase: decimal.Decimal | None = strawberry.field(
        description="Gamma-Gamma's expected spend per purchase; null without a Gamma-Gamma fit."
    )


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
                expected_spend_per_purchase=(
                    money(row.expected_spend_cents) if row.expected_spend_cents is not None else None
                ),
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


@strawberry.type(
    description="How the models refitted on the orders up to calibrationEnd predicted the holdout after it."
)
class ModelValidation:
    calibration_end: dt.datetime = strawberry.field(
        description="The refit used orders up to here (asOf - holdoutDays)."
    )
    holdout_days: int
    customers: int = strawberry.field(description="Customers with an order on or before calibrationEnd.")
    predicted_purchases: float = strawberry.field(description="Expected purchases (purchase days) in the holdout.")
    actual_purchases: int = strawberry.field(description="The purchase days those customers had in the holdout.")
    purchases_mae: float = strawberry.field(description="Mean absolute error of purchases per customer.")
    predicted_spend: decimal.Decimal
    actual_spend: decimal.Decimal
    churn_auc: float = strawberry.field(
        description="ROC AUC of churnRisk at calibrationEnd for 'no order in the holdout' (0.5: no better than chance)."
    )

    @classmethod
    def of(cls, as_of: dt.datetime, v: Validation) -> ModelValidation:
        return cls(
            calibration_end=as_of - dt.timedelta(days=v.holdout_days),
            holdout_days=v.holdout_days,
            customers=v.customers,
            predicted_purchases=v.predicted_purchases,
            actual_purchases=v.actual_purchases,
            purchases_mae=v.purchases_mae,
            predicted_spend=money(v.predicted_spend_cents),
            actual_spend=money(v.actual_spend_cents),
            churn_auc=v.churn_auc,
        )


@strawberry.type(description="The models fitted at the last full refresh.")
class ScoringModel:
    as_of: dt.datetime
    fitted_at: dt.datetime
    customers: int
    log_likelihood: float
    bgnbd: BgNbdParams
    gamma_gamma: GammaGammaParams | None
    converged: bool = strawberry.field(
        description="Both optimizers reported success and no parameter sits at a bound of its search."
    )
    warnings: list[str] = strawberry.field(
        description='What is wrong with the fit, e.g. "BG/NBD b at its upper bound".'
    )
    validation: ModelValidation | None = strawberry.field(
        description="The holdout check of this refresh; null when the history is shorter than twice holdoutDays."
    )

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
            converged=bool(row.converged),
            warnings=list(row.warnings or []),
            validation=ModelValidation.of(row.as_of, Validation.from_json(row.validation)) if row.validation else None,
        )
