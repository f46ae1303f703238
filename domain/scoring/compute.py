"""From per-customer aggregates to scores: the model fit and everything derived from it (arrays).

Time in weeks for both models (BG/NBD parameters as published); money in major units (e.g.
dollars) for Gamma-Gamma, so `gamma` reads in the currency. The 12-month horizon is 365 days =
365/7 weeks. A customer's purchases are its distinct purchase days (see aggregates.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from domain.scoring import bgnbd, gamma_gamma
from domain.scoring.aggregates import Aggregates
from domain.scoring.breakpoints import Breakpoints
from domain.scoring.lifecycle import lifecycle_stages, value_tiers
from domain.scoring.rfm import segments
from domain.scoring.summary import mean_repeat_spend, model_inputs

HORIZON_WEEKS: Final = 365 / 7
CHURN_DAYS: Final = 180  # churnRisk: P(no order in the 180 days after the as-of date)
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Model:
    """The fitted models of a full refresh (or loaded from its scoring_models row)."""

    bgnbd: bgnbd.BgNbdParams
    gamma_gamma: gamma_gamma.GammaGammaParams | None
    log_likelihood: float
    customers: int
    converged: bool = True  # both optimizers reported success and no parameter ended at a bound
    warnings: tuple[str, ...] = ()  # what made `converged` false, e.g. "BG/NBD b at its upper bound"


@dataclass(frozen=True)
class ModelInputs:
    buyers: NDArray[np.bool_]  # customers with an order up to the as-of date
    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    zbar: FloatArray  # major units


def model_inputs_of(agg: Aggregates) -> ModelInputs:
    buyers = agg.purchase_days > 0
    x = np.zeros(agg.size)
    t_x = np.zeros(agg.size)
    T = np.zeros(agg.size)
    zbar = np.zeros(agg.size)
    if buyers.any():
        bx, btx, bT = model_inputs(
            agg.purchase_days[buyers], agg.first_day[buyers], agg.last_day[buyers], agg.as_of_day
        )
        x[buyers], t_x[buyers], T[buyers] = bx, btx, bT
        zbar[buyers] = mean_repeat_spend(
            agg.purchase_days[buyers], agg.total_cents[buyers] / 100.0, agg.first_day_cents[buyers] / 100.0
        )
    return ModelInputs(buyers, x, t_x, T, zbar)


def fit_model(inputs: ModelInputs) -> Model | None:
    """BG/NBD on every buyer, Gamma-Gamma on those with repeat purchases (None below 2 of them).

    The two fits are independent and spend their time in numpy and scipy ufuncs, which release
    the GIL: they run side by side in two threads (each is deterministic, so is the pair)."""
    b = inputs.buyers
    if not b.any():
        return None
    repeat = b & (inputs.x > 0) & (inputs.zbar > 0)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="c360-fit") as pool:
        bg = pool.submit(bgnbd.fit, inputs.x[b], inputs.t_x[b], inputs.T[b])
        gg = (
            pool.submit(gamma_gamma.fit_with_status, inputs.x[repeat], inputs.zbar[repeat])
            if int(repeat.sum()) >= 2
            else None
        )
        fitted = bg.result()
        spend = gg.result() if gg is not None else None
    warnings = _warnings("BG/NBD", fitted.converged, fitted.at_bounds)
    if spend is not None:
        warnings += _warnings("Gamma-Gamma", spend.converged, spend.at_bounds)
    return Model(
        fitted.params,
        spend.params if spend is not None else None,
        float(fitted.log_likelihood),
        int(b.sum()),
        converged=not warnings,
        warnings=warnings,
    )


def _warnings(model: str, converged: bool, at_bounds: tuple[str, ...]) -> tuple[str, ...]:
    failed = () if converged else (f"{model} optimizer did not report convergence",)
    return failed + tuple(f"{model} {phrase}" for phrase in at_bounds)


@dataclass(frozen=True)
class ScoreArrays:
    """The scores of the customers of an Aggregates, aligned with it."""

    scored_rfm: NDArray[np.bool_]  # an order in the RFM window
    r: NDArray[np.int64]
    f: NDArray[np.int64]
    m: NDArray[np.int64]
    segment: NDArray[np.str_]  # "" where not scored
    probability_alive: FloatArray
    churn_risk: FloatArray  # P(no order in the CHURN_DAYS after the as-of date); 0 without orders
    expected_purchases: FloatArray
    expected_spend: FloatArray  # Gamma-Gamma's expected spend per purchase (major units); NaN without it
    predicted_cents: NDArray[np.int64]
    lifecycle: NDArray[np.str_]
    value_tier: NDArray[np.str_]


def gamma_gamma_spend(params: gamma_gamma.GammaGammaParams | None, inputs: ModelInputs) -> FloatArray:
    """Gamma-Gamma's expected spend per purchase day (major units); NaN without a Gamma-Gamma
    model, and where it is infinite (a customer without repeats when q <= 1)."""
    if params is None:
        return np.full(inputs.x.size, np.nan)
    spend = gamma_gamma.conditional_expected_spend(params, inputs.x, inputs.zbar)
    return np.asarray(np.where(np.isfinite(spend), spend, np.nan), dtype=np.float64)


def spend_per_purchase(
    gamma_gamma_spend: FloatArray, purchase_days: NDArray[np.int64], cents: NDArray[np.int64]
) -> FloatArray:
    """The spend per purchase day a forecast multiplies by: Gamma-Gamma's, or where it has none,
    the customer's own mean day total."""
    own = np.where(purchase_days > 0, cents / np.maximum(purchase_days, 1) / 100.0, 0.0)
    return np.asarray(np.where(np.isnan(gamma_gamma_spend), own, gamma_gamma_spend), dtype=np.float64)


def score(agg: Aggregates, model: Model | None, breakpoints: Breakpoints | None = None) -> ScoreArrays:
    """Scores of every customer in `agg`. r/f/m and value tiers come from the SQL window functions
    and the whole base (full refresh), or from the breakpoints of the last fit (restricted refresh)."""
    inputs = model_inputs_of(agg)
    buyers = inputs.buyers
    p_alive = np.ones(agg.size)
    churn = np.zeros(agg.size)
    expected = np.zeros(agg.size)
    spend = np.full(agg.size, np.nan)
    predicted = np.zeros(agg.size)
    if model is not None:
        spend = gamma_gamma_spend(model.gamma_gamma, inputs)
        if buyers.any():
            with np.errstate(invalid="ignore", over="ignore"):
                p_alive, churn, expected, predicted = _forecast(model, inputs, agg, spend)
    predicted_cents = np.rint(predicted * 100.0).astype(np.int64)
    scored = agg.frequency > 0
    if breakpoints is None:
        r, f, m = agg.r, agg.f, agg.m
    else:
        r, f, m = breakpoints.rfm(agg.last_day, agg.frequency, agg.monetary_cents)
    seg = np.full(agg.size, "", dtype="<U18")
    if scored.any():
        seg[scored] = segments(r[scored], f[scored], m[scored])
    age = np.where(buyers, agg.as_of_day - agg.first_day, np.maximum(agg.as_of_day - agg.created_day, 0))
    stages = lifecycle_stages(np.clip(p_alive, 0.0, 1.0), churn, np.maximum(age, 0), agg.order_count)
    tiers = breakpoints.value_tiers(predicted_cents) if breakpoints is not None else value_tiers(predicted_cents)
    return ScoreArrays(scored, r, f, m, seg, p_alive, churn, expected, spend, predicted_cents, stages, tiers)


def _forecast(
    model: Model, inputs: ModelInputs, agg: Aggregates, spend: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """P(alive), P(no order in CHURN_DAYS), expected purchase days in the next 365 days, and
    their expected value (major units)."""
    b = inputs.buyers
    p_alive = np.ones(agg.size)
    churn = np.zeros(agg.size)
    expected = np.zeros(agg.size)
    predicted = np.zeros(agg.size)
    p_alive[b] = bgnbd.probability_alive(model.bgnbd, inputs.x[b], inputs.t_x[b], inputs.T[b])
    churn[b] = bgnbd.probability_no_purchase(model.bgnbd, CHURN_DAYS / 7, inputs.x[b], inputs.t_x[b], inputs.T[b])
    expected[b] = bgnbd.conditional_expected_purchases(
        model.bgnbd, HORIZON_WEEKS, inputs.x[b], inputs.t_x[b], inputs.T[b]
    )
    # A degenerate fit (a tiny or odd base drives parameters to their bounds) can make the
    # series of eq. 10 overflow: count no expected purchases rather than store NaN.
    expected = np.where(np.isfinite(expected), expected, 0.0)
    predicted[b] = expected[b] * spend_per_purchase(spend, agg.purchase_days, agg.total_cents)[b]
    return p_alive, churn, expected, predicted
