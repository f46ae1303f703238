"""Per-customer BG/NBD and Gamma-Gamma inputs from purchase days (pure numpy, time in weeks).

Days are whole UTC calendar days as integers (e.g. ``date.toordinal()`` or ``datetime64[D]`` as int).
A customer's purchases on one day count as one purchase worth the day's total: x counts the distinct
purchase days after the first, and zbar is the mean total of those repeat days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

DAYS_PER_WEEK = 7.0


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    """Model inputs, one row per customer: ``ids`` sorted, x repeats, t_x and T in weeks, zbar."""

    ids: NDArray[np.generic]
    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    zbar: FloatArray


def model_inputs(
    purchase_days: ArrayLike, first_day: ArrayLike, last_day: ArrayLike, as_of_day: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(x, t_x, T): x = distinct purchase days - 1, t_x = (last - first) / 7, T = (as_of - first) / 7."""
    n_days, first, last, as_of = (
        np.asarray(a, dtype=np.int64) for a in np.broadcast_arrays(purchase_days, first_day, last_day, as_of_day)
    )
    if np.any(n_days < 1) or np.any(first > last) or np.any(last > as_of):
        raise ValueError("need purchase_days >= 1 and first_day <= last_day <= as_of_day")
    if np.any(last - first + 1 < n_days):
        raise ValueError("more distinct purchase days than days between the first and the last")
    x = (n_days - 1).astype(np.float64)
    return x, (last - first) / DAYS_PER_WEEK, (as_of - first) / DAYS_PER_WEEK


def mean_repeat_spend(purchase_days: ArrayLike, total_spend: ArrayLike, first_day_spend: ArrayLike) -> FloatArray:
    """zbar: the mean day total over the repeat purchase days (all days but the first); 0 without repeats."""
    n_days, total, first = np.broadcast_arrays(
        np.asarray(purchase_days, dtype=np.int64),
        np.asarray(total_spend, dtype=np.float64),
        np.asarray(first_day_spend, dtype=np.float64),
    )
    repeats = n_days - 1
    if np.any(repeats < 0):
        raise ValueError("purchase_days must be >= 1")
    zbar = (total - first) / np.maximum(repeats, 1)
    return np.asarray(np.where(repeats > 0, zbar, 0.0), dtype=np.float64)


def summarize(customer_ids: ArrayLike, days: ArrayLike, amounts: ArrayLike, as_of_day: int) -> CustomerSummary:
    """Model inputs from raw purchases (one row each); purchases after ``as_of_day`` are left out.

    Customers whose every purchase is after ``as_of_day`` do not appear.
    """
    ids = np.asarray(customer_ids).ravel()
    day = np.asarray(days, dtype=np.int64).ravel()
    amount = np.asarray(amounts, dtype=np.float64).ravel()
    if not ids.shape == day.shape == amount.shape:
        raise ValueError("customer_ids, days and amounts must have one value per purchase")
    kept = day <= as_of_day
    ids, day, amount = ids[kept], day[kept], amount[kept]
    customer_ids_sorted, customer = np.unique(ids, return_inverse=True)
    # One row per (customer, day), sorted by customer then day, with the day's total.
    order = np.lexsort((day, customer))
    customer, day, amount = customer[order], day[order], amount[order]
    new_day = np.ones(customer.size, dtype=np.bool_)
    new_day[1:] = (np.diff(customer) != 0) | (np.diff(day) != 0)
    starts = np.flatnonzero(new_day)
    day_customer, day_of, day_total = customer[starts], day[starts], np.add.reduceat(amount, starts)
    # Per customer: its first row of day totals, and how many it has.
    n_customers = customer_ids_sorted.size
    n_days = np.bincount(day_customer, minlength=n_customers)
    first_row = np.cumsum(n_days) - n_days
    last_row = first_row + n_days - 1
    x, t_x, T = model_inputs(n_days, day_of[first_row], day_of[last_row], as_of_day)
    total = np.bincount(day_customer, weights=day_total, minlength=n_customers)
    zbar = mean_repeat_spend(n_days, total, day_total[first_row])
    return CustomerSummary(customer_ids_sorted, x, t_x, T, zbar)
