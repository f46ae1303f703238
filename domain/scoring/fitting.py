"""What both model fits share: the search box of the log-parameters and the check that a fit
ended inside it (a parameter at a bound means the data did not pin it down)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# Bounds on each log-parameter: keeps the optimizer away from overflow on degenerate data.
LOG_BOUNDS = (float(np.log(1e-6)), float(np.log(1e6)))
_AT_BOUND = 1e-4  # in log units: L-BFGS-B projects onto the bound, or stops a hair short


def bounds_reached(names: tuple[str, ...], theta: NDArray[np.float64], bounds: tuple[float, float]) -> tuple[str, ...]:
    """The parameters whose log-value ended at (within _AT_BOUND in log units) a bound of the search, as phrases."""
    low, high = bounds
    found = []
    for name, value in zip(names, theta, strict=True):
        if value <= low + _AT_BOUND:
            found.append(f"{name} at its lower bound")
        elif value >= high - _AT_BOUND:
            found.append(f"{name} at its upper bound")
    return tuple(found)
