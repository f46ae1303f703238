"""Lifecycle stage and value tier rules of the contract."""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

CHURNED_BELOW: Final = 0.2  # probability alive
CHURNED_FROM_RISK: Final = 0.9  # churn risk
DECLINING_BELOW: Final = 0.5
DECLINING_FROM_RISK: Final = 0.7
NEW_UNDER_DAYS: Final = 90
MATURE_FROM_ORDERS: Final = 4
STAGES: Final = ("CHURNED", "DECLINING", "GROWING", "MATURE", "NEW")
VALUE_TIERS: Final = ("HIGH", "LOW", "MEDIUM")


def lifecycle_stages(
    probability_alive: ArrayLike, churn_risk: ArrayLike, age_days: ArrayLike, order_count: ArrayLike
) -> NDArray[np.str_]:
    """The first stage that holds, per customer: CHURNED (probability alive < 0.2 or churn risk
    >= 0.9), DECLINING (< 0.5 or >= 0.7), NEW, MATURE, else GROWING.

    ``age_days`` is the age of the first order in whole days, or of the customer when it has no order.
    A customer without orders has probability_alive 1 and churn risk 0, so it is NEW for 90 days
    and GROWING after.
    """
    p, risk, age, n = np.broadcast_arrays(
        np.asarray(probability_alive, dtype=np.float64),
        np.asarray(churn_risk, dtype=np.float64),
        np.asarray(age_days, dtype=np.int64),
        np.asarray(order_count, dtype=np.int64),
    )
    if not np.all((p >= 0.0) & (p <= 1.0)) or not np.all((risk >= 0.0) & (risk <= 1.0)):
        raise ValueError("probability_alive and churn_risk must be in [0, 1]")
    if np.any(age < 0) or np.any(n < 0):
        raise ValueError("age_days and order_count must be >= 0")
    conditions = [
        (p < CHURNED_BELOW) | (risk >= CHURNED_FROM_RISK),
        (p < DECLINING_BELOW) | (risk >= DECLINING_FROM_RISK),
        age < NEW_UNDER_DAYS,
        n >= MATURE_FROM_ORDERS,
    ]
    stages = np.select(conditions, ["CHURNED", "DECLINING", "NEW", "MATURE"], default="GROWING")
    return np.asarray(stages, dtype="<U9")


def value_tiers(predicted_12m: ArrayLike) -> NDArray[np.str_]:
    """HIGH for the top 20% by predicted 12-month value, MEDIUM for the next 30%, LOW for the rest.

    Ties: a customer's share is the fraction of customers whose value is at least its own (the
    cume_dist in descending order, like the RFM scores), and it is HIGH when that share is <= 20%,
    MEDIUM when <= 50%. Equal values therefore always get the same tier, independent of ids or
    input order, and a tied group straddling a boundary goes to the lower tier: HIGH never holds
    more than 20% of the customers (nor HIGH and MEDIUM more than 50%). The many customers
    with the same predicted value (e.g. 0) land together in one tier. Comparisons are in integers.
    """
    v = np.asarray(predicted_12m, dtype=np.float64).ravel()
    if np.any(np.isnan(v)):
        raise ValueError("predicted values must not be NaN")
    n = v.size
    at_least = n - np.searchsorted(np.sort(v), v, side="left")  # customers valued >= this one
    tiers = np.full(n, "LOW", dtype="<U6")
    tiers[2 * at_least <= n] = "MEDIUM"
    tiers[5 * at_least <= n] = "HIGH"
    return tiers
