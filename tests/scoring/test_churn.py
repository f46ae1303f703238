"""churnRisk = P(no purchase in the next t | x, t_x, T) under BG/NBD: the closed form against a
Monte Carlo simulation of the model and against the posterior integrated numerically; the
lifecycle rule at its new boundaries; the bound check of the fits; the ROC AUC."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from domain.scoring import bgnbd, gamma_gamma
from domain.scoring.bgnbd import BgNbdParams
from domain.scoring.lifecycle import lifecycle_stages
from domain.scoring.validation import roc_auc

PUBLISHED = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)  # CDNOW, Fader, Hardie and Lee (2005)
HOLDOUT = 180 / 7


def _simulate(params: BgNbdParams, n: int, T: float, t: float, seed: int) -> tuple[np.ndarray, ...]:
    """n customers acquired at time 0 and watched to T + t, drawn from the model itself: rate
    lambda ~ Gamma(r, alpha), dropout p ~ Beta(a, b); after each repeat purchase the customer
    drops out with probability p. Returns x, t_x (in (0, T]) and whether it bought in (T, T + t]."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params.r, 1.0 / params.alpha, n)
    p = rng.beta(params.a, params.b, n)
    now = np.zeros(n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    later = np.zeros(n, dtype=bool)
    active = np.flatnonzero(lam > 0)
    while active.size:
        now[active] += rng.exponential(1.0, active.size) / lam[active]
        inside = now[active] <= T
        window = (now[active] > T) & (now[active] <= T + t)
        x[active[inside]] += 1
        t_x[active[inside]] = now[active[inside]]
        later[active[window]] = True
        drops = rng.random(active.size) < p[active]
        active = active[inside & ~drops]  # past T the first purchase (or none) settles "later"
    return x, t_x, later


def test_the_closed_form_agrees_with_a_simulation_of_the_model() -> None:
    # E[P(no purchase | x, t_x, T)] over any group defined by what was observed equals the share
    # of that group that made no purchase: the tower property, checked group by group.
    T = 39.0
    x, t_x, later = _simulate(PUBLISHED, 300_000, T, HOLDOUT, seed=7)
    risk = bgnbd.probability_no_purchase(PUBLISHED, HOLDOUT, x, t_x, T)
    groups = {
        "x = 0": x == 0,
        "x = 1, early": (x == 1) & (t_x < 20),
        "x = 1, late": (x == 1) & (t_x >= 20),
        "x = 2..4, early": (x >= 2) & (x <= 4) & (t_x < 30),
        "x = 2..4, late": (x >= 2) & (x <= 4) & (t_x >= 30),
        "x >= 5": x >= 5,
    }
    for name, group in groups.items():
        n = int(group.sum())
        assert n > 2000, name
        observed = float((~later[group]).mean())
        se = np.sqrt(observed * (1 - observed) / n)
        assert float(risk[group].mean()) == pytest.approx(observed, abs=4 * se + 1e-3), name
    # And it ranks: those who did not buy had the higher predicted risk.
    auc = roc_auc(risk, ~later)
    assert auc is not None and auc > 0.75


def _numerical(params: BgNbdParams, t: float, x: int, t_x: float, T: float) -> float:
    """P(no purchase in (T, T+t]) from the joint posterior of (lambda, p), integrated with quad:
    alive after x repeats has likelihood (1-p)^x lambda^x e^(-lambda T); dropped out after the
    x-th, p (1-p)^(x-1) lambda^x e^(-lambda t_x); only the alive branch must survive e^(-lambda t)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b

    def rate(c: float) -> float:  # int lambda^(r+x-1) e^(-(alpha+c) lambda), in s = log(lambda)
        peak = np.log((r + x) / (alpha + c))  # the integrand's maximum, where quad must look
        scale = (r + x) * peak - (r + x)  # its log there: keeps the values near 1

        def f(s: float) -> float:
            return float(np.exp((r + x) * s - (alpha + c) * np.exp(s) - scale))

        below = quad(f, peak - 60, peak, limit=400)[0]
        above = quad(f, peak, peak + 6, limit=400)[0]
        return float((below + above) * np.exp(scale))

    def beta(extra_a: float, extra_b: float) -> float:
        return float(quad(lambda q: q ** (a - 1 + extra_a) * (1 - q) ** (b - 1 + extra_b), 0, 1, limit=400)[0])

    alive = beta(0, x)
    dead = beta(1, x - 1) if x > 0 else 0.0
    numerator = alive * rate(T + t) + dead * rate(t_x)
    return numerator / (alive * rate(T) + dead * rate(t_x))


@pytest.mark.parametrize(
    ("x", "t_x", "T"),
    [(0, 0.0, 38.86), (0, 0.0, 2.0), (1, 1.0, 38.0), (2, 30.43, 38.86), (7, 35.0, 38.0), (15, 10.0, 50.0)],
)
def test_the_closed_form_equals_the_posterior_integrated_numerically(x: int, t_x: float, T: float) -> None:
    closed = float(bgnbd.probability_no_purchase(PUBLISHED, HOLDOUT, x, t_x, T))
    assert closed == pytest.approx(_numerical(PUBLISHED, HOLDOUT, x, t_x, T), rel=1e-6)


def test_a_one_time_buyer_of_long_ago_is_at_high_risk_though_alive() -> None:
    old = float(bgnbd.probability_no_purchase(PUBLISHED, HOLDOUT, 0, 0.0, 78.0))
    assert float(bgnbd.probability_alive(PUBLISHED, 0, 0.0, 78.0)) == 1.0
    assert old > 0.8
    frequent = float(bgnbd.probability_no_purchase(PUBLISHED, HOLDOUT, 10, 77.0, 78.0))
    assert frequent < 0.2
    assert float(bgnbd.probability_no_purchase(PUBLISHED, 0.0, 3, 10.0, 20.0)) == 1.0  # no time: no purchase


def test_lifecycle_stages_at_their_boundaries() -> None:
    cases = [  # (probability alive, churn risk, age in days, orders) -> stage
        ((0.19999, 0.0, 0, 9), "CHURNED"),
        ((0.9, 0.9, 0, 9), "CHURNED"),
        ((0.2, 0.0, 0, 9), "DECLINING"),
        ((0.9, 0.89999, 0, 9), "DECLINING"),
        ((0.49999, 0.1, 400, 9), "DECLINING"),
        ((0.9, 0.7, 10, 9), "DECLINING"),
        ((0.5, 0.69999, 89, 9), "NEW"),
        ((0.9, 0.1, 90, 4), "MATURE"),
        ((0.9, 0.1, 90, 3), "GROWING"),
        ((1.0, 0.0, 0, 0), "NEW"),
        ((1.0, 0.0, 365, 0), "GROWING"),
    ]
    p, risk, age, orders = (np.array(column) for column in zip(*(c for c, _ in cases), strict=True))
    assert lifecycle_stages(p, risk, age, orders).tolist() == [stage for _, stage in cases]
    with pytest.raises(ValueError):
        lifecycle_stages([1.0], [1.5], [0], [0])


def test_roc_auc_counts_pairs_and_ties() -> None:
    assert roc_auc([0.9, 0.8, 0.1, 0.2], [True, True, False, False]) == 1.0
    assert roc_auc([0.1, 0.2, 0.9, 0.8], [True, True, False, False]) == 0.0
    assert roc_auc([0.5, 0.5, 0.5], [True, False, False]) == 0.5
    assert roc_auc([0.3, 0.7, 0.5, 0.1], [True, True, False, False]) == 0.75  # 3 of 4 pairs ordered
    assert roc_auc([0.3, 0.7], [True, True]) is None


def test_a_fit_that_ends_at_a_bound_says_which_parameter() -> None:
    # Every repeat buyer spends exactly the same: nothing bounds the Gamma-Gamma shape p.
    spend = gamma_gamma.fit_with_status([1, 2, 3, 1, 2], [20.0, 20.0, 20.0, 20.0, 20.0])
    assert any(w.startswith("p at its upper bound") for w in spend.at_bounds)
    # Everyone buys every week, up to the last: no spread in rates, nobody drops out.
    weeks = np.arange(20.0, 60.0)
    steady = bgnbd.fit(weeks, weeks, weeks)
    assert "r at its upper bound" in steady.at_bounds and "a at its lower bound" in steady.at_bounds
    assert bgnbd.fit([2, 0, 1, 5, 0, 3, 0, 0, 1, 7], [30, 0, 5, 38, 0, 20, 0, 0, 2, 36], [39] * 10).at_bounds == ()
