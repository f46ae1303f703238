"""BG/NBD model of repeat purchasing (Fader, Hardie and Lee 2005, "Counting Your Customers the Easy Way").

A customer buys at a Poisson rate lambda ~ Gamma(r, alpha) while alive and, after each purchase, drops
out with probability p ~ Beta(a, b). Inputs per customer: ``x`` repeat purchases, ``t_x`` the time of the
last one and ``T`` the time since the first purchase, all measured from the first purchase, in weeks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

from domain.scoring.fitting import LOG_BOUNDS, bounds_reached

FloatArray = NDArray[np.float64]

# Eq. 10 divides by (a - 1): that close to a = 1 the direct sum is used instead.
_A_NEAR_ONE = 1e-6
# Terms of the direct sum: enough unless a customer would make ~10^6 purchases in the window.
_MAX_TERMS = 1_000_000


@dataclass(frozen=True, slots=True)
class BgNbdParams:
    """Population parameters: purchase rate ~ Gamma(r, alpha), dropout probability ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True, slots=True)
class BgNbdFit:
    """A maximum-likelihood fit: the parameters and the (weighted) log-likelihood they reach."""

    params: BgNbdParams
    log_likelihood: float
    converged: bool  # the optimizer reported success (on the first run or its restart)
    at_bounds: tuple[str, ...] = ()  # "b at its upper bound", one per parameter that ended at a bound


@dataclass(frozen=True, slots=True)
class _Data:
    """Fit inputs: one row per distinct (x, t_x, T) with its weight; x-only terms grouped by distinct x."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    w: FloatArray
    x_values: FloatArray  # distinct x
    x_weights: FloatArray  # total weight of each distinct x
    x_index: NDArray[np.intp]  # row -> position in x_values
    repeat: NDArray[np.bool_]  # x > 0


def _inputs(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    xs, txs, Ts = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64), np.asarray(t_x, dtype=np.float64), np.asarray(T, dtype=np.float64)
    )
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(txs)) and np.all(np.isfinite(Ts))):
        raise ValueError("x, t_x and T must be finite")
    if np.any(xs < 0) or np.any(txs < 0) or np.any(txs > Ts):
        raise ValueError("need x >= 0 and 0 <= t_x <= T")
    return xs, txs, Ts


def _compress(x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None) -> _Data:
    """Collapse identical (x, t_x, T) rows into one weighted row: day-granular data repeats a lot."""
    xs, txs, Ts = _inputs(x, t_x, T)
    xs, txs, Ts = xs.ravel(), txs.ravel(), Ts.ravel()
    w = np.ones_like(xs) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != xs.shape or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite, non-negative and one per customer")
    if xs.size == 0 or w.sum() <= 0:
        raise ValueError("cannot fit BG/NBD on no customers")
    order = np.lexsort((Ts, txs, xs))
    xs, txs, Ts, w = xs[order], txs[order], Ts[order], w[order]
    starts = np.empty(xs.size, dtype=np.bool_)
    starts[0] = True
    starts[1:] = (np.diff(xs) != 0) | (np.diff(txs) != 0) | (np.diff(Ts) != 0)
    first = np.flatnonzero(starts)
    ux, utx, uT = xs[first], txs[first], Ts[first]
    uw = np.add.reduceat(w, first)
    x_values, x_index = np.unique(ux, return_inverse=True)
    x_weights = np.bincount(x_index, weights=uw, minlength=x_values.size).astype(np.float64)
    return _Data(ux, utx, uT, uw, x_values, x_weights, x_index, ux > 0)


def _neg_ll_and_grad(log_params: FloatArray, d: _Data) -> tuple[float, FloatArray]:
    """Negative log-likelihood (eq. 6 of the paper) and its gradient with respect to the log-parameters."""
    r, alpha, a, b = np.exp(log_params)
    xv, xw = d.x_values, d.x_weights
    # Terms that depend on x only, summed once per distinct x.
    ll_x = gammaln(r + xv) - gammaln(r) + r * np.log(alpha)
    ll_x += gammaln(a + b) + gammaln(b + xv) - gammaln(b) - gammaln(a + b + xv)
    g_r_x = digamma(r + xv) - digamma(r) + np.log(alpha)
    g_a_x = digamma(a + b) - digamma(a + b + xv)
    g_b_x = g_a_x + digamma(b + xv) - digamma(b)
    # Per row: log(A3 + A4), A3 = (alpha+T)^-(r+x), A4 = a/(b+x-1) (alpha+t_x)^-(r+x) when x > 0.
    rx = r + d.x
    log_aT = np.log(alpha + d.T)
    log_atx = np.log(alpha + d.t_x)
    a3 = -rx * log_aT
    inv_bx1 = np.where(d.repeat, 1.0 / np.where(d.repeat, b + d.x - 1.0, 1.0), 0.0)
    with np.errstate(divide="ignore"):
        a4 = np.where(d.repeat, np.log(a) + np.log(inv_bx1) - rx * log_atx, -np.inf)
    a34 = np.logaddexp(a3, a4)
    p4 = np.exp(a4 - a34)  # share of the "dropped out after the last purchase" branch
    p3 = 1.0 - p4
    w = d.w
    ll = float(xw @ ll_x + w @ a34)
    g_r = xw @ g_r_x - w @ (p3 * log_aT + p4 * log_atx)
    g_alpha = xw.sum() * r / alpha - w @ (rx * (p3 / (alpha + d.T) + p4 / (alpha + d.t_x)))
    g_a = xw @ g_a_x + w @ p4 / a
    g_b = xw @ g_b_x - w @ (p4 * inv_bx1)
    grad = np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])
    return -ll, -grad


def log_likelihood(
    params: BgNbdParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None
) -> float:
    """Total log-likelihood of the customers (each counted ``weights`` times) under ``params``."""
    log_params = np.log([params.r, params.alpha, params.a, params.b])
    return -_neg_ll_and_grad(log_params, _compress(x, t_x, T, weights))[0]


def fit(x: ArrayLike, t_x: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None) -> BgNbdFit:
    """Maximum-likelihood BG/NBD fit; ``weights`` counts how many customers share each row.

    Optimizes the log-parameters with L-BFGS-B on the analytic gradient, then restarts once from the
    optimum so the quasi-Newton memory does not stop it early. The objective is scaled per customer.
    """
    d = _compress(x, t_x, T, weights)
    total = float(d.w.sum())

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value, grad = _neg_ll_and_grad(theta, d)
        return value / total, grad / total

    theta = np.zeros(4)
    converged = False
    for _ in range(2):
        result = minimize(
            objective,
            theta,
            jac=True,
            method="L-BFGS-B",
            bounds=[LOG_BOUNDS] * 4,
            options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-8},
        )
        theta = np.asarray(result.x, dtype=np.float64)
        # The restart from an optimum may end in a line search that finds nothing better: that
        # keeps the optimum the first run reported, so either run reporting success counts.
        converged = converged or bool(result.success)
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    at_bounds = bounds_reached(("r", "alpha", "a", "b"), theta, LOG_BOUNDS)
    return BgNbdFit(BgNbdParams(r, alpha, a, b), -_neg_ll_and_grad(theta, d)[0], converged, at_bounds)


def _log_odds_dead(params: BgNbdParams, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    """log(a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)) for x > 0; -inf when x = 0 (alive for sure)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    b_x1 = np.where(repeat, b + x - 1.0, 1.0)
    odds = np.log(a) - np.log(b_x1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return np.where(repeat, odds, -np.inf)


def probability_alive(params: BgNbdParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> FloatArray:
    """P(alive at T | x, t_x, T); exactly 1 for x = 0, since a customer can only drop out after a purchase."""
    xs, txs, Ts = _inputs(x, t_x, T)
    return np.asarray(expit(-_log_odds_dead(params, xs, txs, Ts)), dtype=np.float64)


def _expected_if_alive(params: BgNbdParams, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
    """Expected purchases in (T, T+t] of a customer alive at T: eq. 10 without its P(alive) factor.

    Evaluated as (a+b+x-1)/(a-1) (1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)), z = t/(alpha+T+t),
    which is the paper's (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z) after Euler's transformation: the
    paper's 2F1 overflows for large x, this one stays near 1. scipy's hyp2f1 answers inf or nan when
    z > 0.9 and r - a is an integer (it switches to a connection formula that is singular there), so
    non-finite or impossible values, and a = 1 where the formula is 0/0, go to ``_expected_by_sum``.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    upper = (r + x) * t / (alpha + T)  # the expectation if nobody ever dropped out
    if abs(a - 1.0) < _A_NEAR_ONE:
        value = np.full_like(z, np.nan)
    else:
        c = a + b + x - 1.0
        with np.errstate(all="ignore"):
            tail = (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
            value = c / (a - 1.0) * (1.0 - tail)
    bad = ~np.isfinite(value) | (value < -1e-12) | (value > upper * (1.0 + 1e-9) + 1e-12)
    if np.any(bad):
        value = np.where(bad, 0.0, value)
        value[bad] = _expected_by_sum(r + x[bad], b + x[bad], a, z[bad])
    return np.asarray(np.clip(value, 0.0, upper), dtype=np.float64)


def _expected_by_sum(r_x: FloatArray, b_x: FloatArray, a: float, z: FloatArray) -> FloatArray:
    """E[min(N, J)] by direct summation, the definition behind eq. 10; slower, but only positive terms.

    N ~ NegBin(r + x, z) counts the purchases the customer would make in the window, J ~ Geometric(p)
    with p ~ Beta(a, b + x) the purchase after which it drops out: sum_n P(N = n) m(n) with
    m(n) = E[min(n, J)] = sum_{k<n} E[(1-p)^k]. Past the mean of N the ratio of successive terms is at
    most rho = (r+x+n) z / n < 1, so the remainder is at most term * rho / (1 - rho).
    """
    total = np.zeros_like(z)
    log_pn = r_x * np.log1p(-z)  # log P(N = 0)
    log_z = np.log(np.where(z > 0, z, 1.0))
    survival = np.ones_like(z)  # E[(1-p)^n]
    m = np.zeros_like(z)
    active = np.flatnonzero(z > 0)
    n = 0
    while active.size and n < _MAX_TERMS:
        n += 1
        rx = r_x[active]
        log_pn[active] += np.log((rx + n - 1.0) / n) + log_z[active]
        m[active] += survival[active]
        survival[active] *= (b_x[active] + n - 1.0) / (a + b_x[active] + n - 1.0)
        term = np.exp(log_pn[active]) * m[active]
        total[active] += term
        rho = (rx + n) * z[active] / n
        done = (rho < 1.0) & (term * rho <= 1e-15 * (1.0 - rho) * total[active])
        active = active[~done]
    return total


def conditional_expected_purchases(
    params: BgNbdParams, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> FloatArray:
    """E[purchases in (T, T+t] | x, t_x, T] (eq. 10 of the paper); broadcasts over its array arguments."""
    ts = np.asarray(t, dtype=np.float64)
    if np.any(ts < 0) or not np.all(np.isfinite(ts)):
        raise ValueError("t must be finite and >= 0")
    xs, txs, Ts = _inputs(x, t_x, T)
    ts, xs, txs, Ts = np.broadcast_arrays(ts, xs, txs, Ts)
    if_alive = _expected_if_alive(params, ts, xs, Ts)
    alive = expit(-_log_odds_dead(params, xs, txs, Ts))
    return np.asarray(if_alive * alive, dtype=np.float64)


def expected_purchases(params: BgNbdParams, t: ArrayLike) -> FloatArray:
    """E[purchases in (0, t]] for a customer just acquired (eq. 7 of the paper, repeat purchases only)."""
    ts = np.asarray(t, dtype=np.float64)
    zero = np.zeros_like(ts)
    return conditional_expected_purchases(params, ts, zero, zero, zero)


def probability_no_purchase(
    params: BgNbdParams, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> FloatArray:
    """P(no purchase in (T, T+t] | x, t_x, T): the churn risk over a horizon of ``t``.

    A customer drops out only right after a purchase, so one alive at T stays alive until its next
    purchase, and it makes none in the window exactly when its Poisson clock does not tick:
    P = 1 - P(alive) + P(alive) E[exp(-lambda t) | alive, x, T]. Given alive, the posterior of lambda
    is Gamma(r + x, alpha + T) (the likelihood of "alive" is lambda^x exp(-lambda T) (1-p)^x), whose
    Laplace transform gives E[exp(-lambda t)] = ((alpha + T) / (alpha + T + t))^(r + x). Hence
    P = 1 - P(alive) (1 - ((alpha + T) / (alpha + T + t))^(r + x)).
    """
    ts = np.asarray(t, dtype=np.float64)
    if np.any(ts < 0) or not np.all(np.isfinite(ts)):
        raise ValueError("t must be finite and >= 0")
    xs, txs, Ts = _inputs(x, t_x, T)
    ts, xs, txs, Ts = np.broadcast_arrays(ts, xs, txs, Ts)
    alive = expit(-_log_odds_dead(params, xs, txs, Ts))
    buys_if_alive = -np.expm1(-(params.r + xs) * np.log1p(ts / (params.alpha + Ts)))
    return np.asarray(np.clip(1.0 - alive * buys_if_alive, 0.0, 1.0), dtype=np.float64)
