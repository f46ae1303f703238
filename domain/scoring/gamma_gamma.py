"""Gamma-Gamma model of spend per purchase (Fader and Hardie 2013; Colombo and Jiang 1999).

Each purchase of a customer is worth z ~ Gamma(p, nu) (shape p, rate nu) and nu ~ Gamma(q, gamma) across
customers. Inputs per customer: ``x`` repeat purchases and ``zbar`` their mean value; only customers with
x > 0 (and zbar > 0) carry information about spend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

from domain.scoring.fitting import LOG_BOUNDS, bounds_reached

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class GammaGammaParams:
    """Spend per purchase ~ Gamma(p, nu), nu ~ Gamma(q, gamma); mean spend is p * gamma / (q - 1)."""

    p: float
    q: float
    gamma: float


@dataclass(frozen=True, slots=True)
class _Data:
    """Fit inputs with the x-only terms grouped by distinct x."""

    x: FloatArray
    zbar: FloatArray
    x_values: FloatArray
    x_counts: FloatArray
    # Sum over customers of log(zbar) * x and x * log(x): the parameter-free parts of the gradient in p.
    sum_x_log_xz: float
    sum_log_z: float


def _prepare(x: ArrayLike, zbar: ArrayLike) -> _Data:
    xs = np.asarray(x, dtype=np.float64).ravel()
    zs = np.asarray(zbar, dtype=np.float64).ravel()
    if xs.shape != zs.shape:
        raise ValueError("x and zbar must have one value per customer")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(zs))) or np.any(xs < 0) or np.any(zs < 0):
        raise ValueError("x and zbar must be finite and >= 0")
    used = (xs > 0) & (zs > 0)
    xs, zs = xs[used], zs[used]
    if xs.size < 2:
        raise ValueError("Gamma-Gamma needs at least 2 customers with repeat purchases of positive value")
    x_values, counts = np.unique(xs, return_counts=True)
    return _Data(
        xs,
        zs,
        x_values,
        counts.astype(np.float64),
        float(xs @ (np.log(xs) + np.log(zs))),
        float(np.log(zs).sum()),
    )


def _neg_ll_and_grad(log_params: FloatArray, d: _Data) -> tuple[float, FloatArray]:
    """Negative log-likelihood of the observed zbar given x, and its gradient in the log-parameters.

    log f(zbar | x) = lnG(px+q) - lnG(px) - lnG(q) + q ln(gamma) + (px-1) ln(zbar) + px ln(x)
                      - (px+q) ln(gamma + x zbar)
    """
    p, q, g = np.exp(log_params)
    xv, n = d.x_values, d.x_counts
    px = p * xv
    ll_x = gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
    psi_pxq = digamma(px + q)
    log_gxz = np.log(g + d.x * d.zbar)
    pxq_row = p * d.x + q
    total = n.sum()
    ll = float(n @ ll_x + p * d.sum_x_log_xz - d.sum_log_z - pxq_row @ log_gxz)
    g_p = n @ (xv * (psi_pxq - digamma(px))) + d.sum_x_log_xz - d.x @ log_gxz
    g_q = n @ psi_pxq - total * digamma(q) + total * np.log(g) - log_gxz.sum()
    g_g = total * q / g - float(np.sum(pxq_row / (g + d.x * d.zbar)))
    grad = np.array([g_p * p, g_q * q, g_g * g])
    return -ll, -grad


def log_likelihood(params: GammaGammaParams, x: ArrayLike, zbar: ArrayLike) -> float:
    """Log-likelihood of the customers with x > 0 and zbar > 0 under ``params``."""
    log_params = np.log([params.p, params.q, params.gamma])
    return -_neg_ll_and_grad(log_params, _prepare(x, zbar))[0]


@dataclass(frozen=True, slots=True)
class GammaGammaFit:
    """A maximum-likelihood fit, whether the optimizer reported success, and the parameters at a bound."""

    params: GammaGammaParams
    converged: bool
    at_bounds: tuple[str, ...] = ()


def fit(x: ArrayLike, zbar: ArrayLike) -> GammaGammaParams:
    """Maximum-likelihood parameters (see `fit_with_status`)."""
    return fit_with_status(x, zbar).params


def fit_with_status(x: ArrayLike, zbar: ArrayLike) -> GammaGammaFit:
    """Maximum-likelihood fit on the customers with x > 0 (and zbar > 0); others are ignored.

    Raises ValueError when fewer than 2 customers qualify. Starts from a moment-based guess so the
    optimizer does not wander along the flat ridge of the likelihood from a scale-blind start.
    """
    d = _prepare(x, zbar)
    n = float(d.x.size)
    mean = float(d.zbar.mean())

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value, grad = _neg_ll_and_grad(theta, d)
        return value / n, grad / n

    theta = np.log([1.0, 2.0, mean])  # p=1, q=2 put the population mean at the sample mean
    converged = False
    for _ in range(2):
        result = minimize(
            objective,
            theta,
            jac=True,
            method="L-BFGS-B",
            bounds=[LOG_BOUNDS] * 3,
            options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-8},
        )
        theta = np.asarray(result.x, dtype=np.float64)
        # The restart from an optimum may end in a line search that finds nothing better: that
        # keeps the optimum the first run reported, so either run reporting success counts.
        converged = converged or bool(result.success)
    p, q, g = (float(v) for v in np.exp(theta))
    at_bounds = bounds_reached(("p", "q", "gamma"), theta, LOG_BOUNDS)
    return GammaGammaFit(GammaGammaParams(p, q, g), converged, at_bounds)


def conditional_expected_spend(params: GammaGammaParams, x: ArrayLike, zbar: ArrayLike) -> FloatArray:
    """E[spend per purchase | x, zbar]: a weighted mean of the population mean and the customer's zbar.

    = (q - 1) / (px + q - 1) * p gamma / (q - 1) + px / (px + q - 1) * zbar, which is the population
    mean p gamma / (q - 1) when x = 0. The population mean is infinite when q <= 1: x = 0 then gives inf.
    """
    p, q, g = params.p, params.q, params.gamma
    xs, zs = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(zbar, dtype=np.float64))
    if np.any(xs < 0) or np.any(zs < 0):
        raise ValueError("x and zbar must be >= 0")
    population_mean = p * g / (q - 1.0) if q > 1.0 else np.inf
    px = p * xs
    with np.errstate(divide="ignore", invalid="ignore"):
        individual = p * (g + xs * zs) / (px + q - 1.0)
    return np.asarray(np.where(xs == 0, population_mean, individual), dtype=np.float64)
