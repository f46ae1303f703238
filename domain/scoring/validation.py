"""Model validation: refit on the orders up to the calibration end (as-of minus the holdout) and
compare what the refit predicted for the holdout with what happened (pure numpy).

It works on the same aggregates as the full refresh (aggregates.py carries each customer's
purchase days, last purchase day and spend up to the calibration day), so it costs one more
pair of fits and a few array passes, no second scan of the orders. Over the customers with an
order on or before the calibration end: predicted purchases (BG/NBD, eq. 10) and spend (times
Gamma-Gamma's expected spend per purchase, or the customer's own mean where there is no
Gamma-Gamma fit), the actual purchase days and spend in the holdout, the mean absolute error of
purchases per customer, and the ROC AUC of churnRisk at the calibration end for "no order in
the holdout".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import rankdata

from domain.scoring import bgnbd
from domain.scoring.aggregates import Aggregates
from domain.scoring.compute import Model, ModelInputs, fit_model, gamma_gamma_spend, spend_per_purchase
from domain.scoring.summary import mean_repeat_spend, model_inputs


@dataclass(frozen=True)
class Validation:
    """The holdout comparison; money in cents, days as day numbers."""

    calibration_day: int
    holdout_days: int
    customers: int
    predicted_purchases: float
    actual_purchases: int
    purchases_mae: float
    predicted_spend_cents: int
    actual_spend_cents: int
    churn_auc: float
    converged: bool
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["warnings"] = list(self.warnings)
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Validation:
        return cls(**{**doc, "warnings": tuple(doc.get("warnings", ()))})


def roc_auc(score: ArrayLike, positive: ArrayLike) -> float | None:
    """P(score of a random positive > score of a random negative), ties counting one half
    (the Mann-Whitney U statistic over the average ranks); None without both classes."""
    s = np.asarray(score, dtype=np.float64).ravel()
    pos = np.asarray(positive, dtype=np.bool_).ravel()
    n_pos = int(pos.sum())
    n_neg = pos.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = rankdata(s)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def calibration_inputs(agg: Aggregates) -> ModelInputs:
    """The model inputs as of the calibration day, for every customer of `agg`."""
    buyers = agg.calibration_days > 0
    x, t_x, T, zbar = (np.zeros(agg.size) for _ in range(4))
    if buyers.any():
        cal = agg.calibration_day
        x[buyers], t_x[buyers], T[buyers] = model_inputs(
            agg.calibration_days[buyers], agg.first_day[buyers], agg.calibration_last_day[buyers], cal
        )
        zbar[buyers] = mean_repeat_spend(
            agg.calibration_days[buyers],
            agg.calibration_cents[buyers] / 100.0,
            agg.first_day_cents[buyers] / 100.0,
        )
    return ModelInputs(buyers, x, t_x, T, zbar)


def long_enough(agg: Aggregates) -> bool:
    """Validation needs a history (first order to as-of) of at least twice the holdout."""
    buyers = agg.purchase_days > 0
    return bool(buyers.any()) and agg.as_of_day - int(agg.first_day[buyers].min()) >= 2 * agg.holdout_days


def validate(agg: Aggregates) -> Validation | None:
    """Refit on the calibration period and score the holdout; None when the history is too short
    (or nobody bought in the calibration period)."""
    if not long_enough(agg):
        return None
    inputs = calibration_inputs(agg)
    model = fit_model(inputs)
    if model is None:
        return None
    return _compare(agg, inputs, model)


def _compare(agg: Aggregates, inputs: ModelInputs, model: Model) -> Validation:
    b = inputs.buyers
    weeks = agg.holdout_days / 7
    x, t_x, T = inputs.x[b], inputs.t_x[b], inputs.T[b]
    with np.errstate(invalid="ignore", over="ignore"):
        predicted = bgnbd.conditional_expected_purchases(model.bgnbd, weeks, x, t_x, T)
    predicted = np.where(np.isfinite(predicted), predicted, 0.0)
    churn = bgnbd.probability_no_purchase(model.bgnbd, weeks, x, t_x, T)
    spend = spend_per_purchase(
        gamma_gamma_spend(model.gamma_gamma, inputs)[b], agg.calibration_days[b], agg.calibration_cents[b]
    )
    actual: NDArray[np.int64] = agg.purchase_days[b] - agg.calibration_days[b]
    actual_cents: NDArray[np.int64] = agg.total_cents[b] - agg.calibration_cents[b]
    auc = roc_auc(churn, actual == 0)
    warnings = model.warnings
    if auc is None:
        warnings += (
            "churn AUC undefined: every customer of the calibration period did, or none did, order in the holdout",
        )
    return Validation(
        calibration_day=agg.calibration_day,
        holdout_days=agg.holdout_days,
        customers=int(b.sum()),
        predicted_purchases=float(predicted.sum()),
        actual_purchases=int(actual.sum()),
        purchases_mae=float(np.abs(predicted - actual).mean()),
        predicted_spend_cents=int(np.rint((predicted * spend).sum() * 100.0)),
        actual_spend_cents=int(actual_cents.sum()),
        churn_auc=0.5 if auc is None else auc,
        converged=model.converged,
        warnings=warnings,
    )
