"""Per-caller rate limiting by query cost: a token bucket per subject, kept in process.

Each caller may spend `burst` cost points at once, refilled at `per_second`; a request that
costs more than what is left is refused with the time after which it would fit. Several server
processes each keep their own buckets (documented in docs/privacy.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    def __init__(self, burst: int, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, subject: str, cost: int) -> float | None:
        """Spend `cost` points of `subject`'s bucket; None when done, else seconds to wait."""
        cost = min(cost, self.burst)  # a request within the query cost limit can always run eventually
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(subject)
            if bucket is None:
                bucket = self._buckets[subject] = _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.per_second)
            bucket.at = now
            if bucket.tokens >= cost:
                bucket.tokens -= cost
                return None
            missing = cost - bucket.tokens
            return math.inf if self.per_second <= 0 else missing / self.per_second
