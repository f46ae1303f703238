"""RFM quintile scores and the 5x5 segment grid of the contract."""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

IntArray = NDArray[np.int64]

# The contract's grid: _GRID[5 - r][fm - 1], rows r = 5..1, columns fm = 1..5.
_GRID: Final[tuple[tuple[str, ...], ...]] = (
    ("NEW_CUSTOMER", "POTENTIAL_LOYALIST", "POTENTIAL_LOYALIST", "CHAMPIONS", "CHAMPIONS"),
    ("PROMISING", "POTENTIAL_LOYALIST", "POTENTIAL_LOYALIST", "LOYAL", "CHAMPIONS"),
    ("ABOUT_TO_SLEEP", "NEED_ATTENTION", "NEED_ATTENTION", "LOYAL", "LOYAL"),
    ("HIBERNATING", "HIBERNATING", "AT_RISK", "AT_RISK", "CANNOT_LOSE"),
    ("LOST", "LOST", "AT_RISK", "CANNOT_LOSE", "CANNOT_LOSE"),
)

SEGMENTS: Final[frozenset[str]] = frozenset(name for row in _GRID for name in row)


def rfm_scores(values: ArrayLike, higher_is_better: bool) -> IntArray:
    """Quintile scores 1..5, ``ceil(5 * cume_dist())`` with rows ordered so that 5 is best.

    cume_dist of a row is the fraction of rows whose value is at least as bad as its own (ties
    included), so equal values always get equal scores. For recency pass ``higher_is_better=False``
    (fewer days since the last order is better). Reference for the SQL window function
    ``ceil(5 * cume_dist() over (order by v))``. The arithmetic here is exact; double precision
    agrees for any realistic n, since 5 * fl(m/5) is exact for m = 1..5 and any other 5k/n is at
    least 1/n away from an integer.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    if np.any(np.isnan(v)):
        raise ValueError("RFM values must not be NaN")
    n = v.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ordered = np.sort(v)
    if higher_is_better:
        at_most = np.searchsorted(ordered, v, side="right")  # rows with value <= v
    else:
        at_most = n - np.searchsorted(ordered, v, side="left")  # rows with value >= v
    return np.asarray((5 * at_most + n - 1) // n, dtype=np.int64)


def fm_score(f: int, m: int) -> int:
    """Combined frequency-monetary score ``floor((f + m) / 2 + 0.5)``: the mean, halves rounded up."""
    _check_score("f", f)
    _check_score("m", m)
    return (f + m + 1) // 2


def segment(r: int, fm: int) -> str:
    """The RfmSegment name for a recency score and a combined frequency-monetary score (both 1..5)."""
    _check_score("r", r)
    _check_score("fm", fm)
    return _GRID[5 - r][fm - 1]


def segments(r: ArrayLike, f: ArrayLike, m: ArrayLike) -> NDArray[np.str_]:
    """Vectorized ``segment(r, fm_score(f, m))`` over arrays of scores."""
    rs, fs, ms = (np.asarray(a, dtype=np.int64) for a in (r, f, m))
    for name, arr in (("r", rs), ("f", fs), ("m", ms)):
        if np.any((arr < 1) | (arr > 5)):
            raise ValueError(f"{name} scores must be between 1 and 5")
    fm = (fs + ms + 1) // 2
    grid = np.array(_GRID, dtype=np.str_)
    return np.asarray(grid[5 - rs, fm - 1], dtype=np.str_)


def _check_score(name: str, value: int) -> None:
    if not 1 <= value <= 5:
        raise ValueError(f"{name} must be between 1 and 5, got {value}")
