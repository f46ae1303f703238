"""Where the base's r/f/m scores and value tiers change, kept with each fitted model.

A full refresh scores everyone against everyone (window functions). A per-customer refresh must
not rescan the base, so it scores the customer against the base *of the last full refresh*: for
each score s, the smallest value that reached s then. Because a score only depends on how many
base customers have a value <= the customer's, this reproduces exactly the score the customer
would have had in that base. Recency is ranked by the last purchase day (earlier = worse), which
does not depend on the as-of date. The nightly full refresh re-ranks everyone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Mins = list[int | None]  # index s - 1: the smallest value that scored s (None: no one did)


def _mins(values: NDArray[np.int64], scores: NDArray[np.int64]) -> Mins:
    return [int(values[scores == s].min()) if (scores == s).any() else None for s in range(1, 6)]


def _score(values: NDArray[np.int64], mins: Mins) -> NDArray[np.int64]:
    out = np.ones(values.size, dtype=np.int64)
    for s, lowest in enumerate(mins, start=1):
        if lowest is not None:
            out[values >= lowest] = s
    return out


@dataclass(frozen=True)
class Breakpoints:
    last_day: Mins
    frequency: Mins
    monetary_cents: Mins
    high_from_cents: int | None  # the smallest predicted value that was HIGH
    medium_from_cents: int | None

    @classmethod
    def of_base(
        cls,
        scored: NDArray[np.bool_],
        last_day: NDArray[np.int64],
        frequency: NDArray[np.int64],
        monetary_cents: NDArray[np.int64],
        r: NDArray[np.int64],
        f: NDArray[np.int64],
        m: NDArray[np.int64],
        predicted_cents: NDArray[np.int64],
        value_tier: NDArray[Any],
    ) -> Breakpoints:
        def lowest(tier: str) -> int | None:
            chosen = value_tier == tier
            return int(predicted_cents[chosen].min()) if chosen.any() else None

        return cls(
            _mins(last_day[scored], r[scored]),
            _mins(frequency[scored], f[scored]),
            _mins(monetary_cents[scored], m[scored]),
            lowest("HIGH"),
            lowest("MEDIUM"),
        )

    def rfm(
        self, last_day: NDArray[np.int64], frequency: NDArray[np.int64], monetary_cents: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        return (
            _score(last_day, self.last_day),
            _score(frequency, self.frequency),
            _score(monetary_cents, self.monetary_cents),
        )

    def value_tiers(self, predicted_cents: NDArray[np.int64]) -> NDArray[Any]:
        tiers = np.full(predicted_cents.size, "LOW", dtype="<U6")
        if self.medium_from_cents is not None:
            tiers[predicted_cents >= self.medium_from_cents] = "MEDIUM"
        if self.high_from_cents is not None:
            tiers[predicted_cents >= self.high_from_cents] = "HIGH"
        return tiers

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Breakpoints:
        return cls(**data)
