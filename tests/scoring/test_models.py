"""The model functions against values computed independently: the BG/NBD paper's worked example
and its closed form for a new customer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import hyp2f1

from domain.scoring import bgnbd
from domain.scoring.bgnbd import BgNbdParams

PUBLISHED = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)  # CDNOW, Fader, Hardie and Lee (2005)


def test_the_papers_worked_example() -> None:
    # The paper's example customer: x = 2 repeat purchases, the last at t_x = 30.43 weeks, observed
    # for T = 38.86 weeks; it reports 1.226 expected purchases in the next 39 weeks.
    expected = bgnbd.conditional_expected_purchases(PUBLISHED, 39.0, 2, 30.43, 38.86)
    assert float(expected) == pytest.approx(1.226, abs=0.0005)
    assert 0.0 < float(bgnbd.probability_alive(PUBLISHED, 2, 30.43, 38.86)) < 1.0
    assert float(bgnbd.probability_alive(PUBLISHED, 0, 0.0, 38.86)) == 1.0  # no repeat: cannot have dropped out


def test_a_new_customer_follows_equation_7() -> None:
    r, alpha, a, b = PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.a, PUBLISHED.b
    t = np.array([1.0, 13.0, 39.0, 78.0, 520.0])
    closed = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    assert np.allclose(bgnbd.expected_purchases(PUBLISHED, t), closed, rtol=1e-9)
