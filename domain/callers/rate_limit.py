"""Per-caller rate limiting by query cost: a token bucket per subject.

Each caller may spend `burst` cost points at once, refilled at `per_second`; a request that
costs more than what is left is refused with the time after which it would fit. `spend`
answers what the `RateLimit-*` response headers say: the limit, what is left, and the seconds
until the bucket is full again.

`TokenBuckets` keeps the buckets in the process. `RedisTokenBuckets` keeps them in Redis (when
`REDIS_URL` is set), so every process of a server draws on one budget per caller: each spend is
one optimistic transaction (WATCH the caller's hash, refill and spend with `refill_and_spend`,
the one rule for both, on Redis's clock), retried when another process spent meanwhile. Should
Redis not answer within its timeout, the process's own buckets decide (never a request refused
or delayed for want of Redis).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

log = structlog.get_logger("c360.rate_limit")


@dataclass(frozen=True, slots=True)
class Spend:
    allowed: bool
    limit: int  # the bucket's size (burst)
    remaining: int  # points left once this request is counted (rounded down)
    reset: int  # seconds until the bucket is full again (rounded up)
    retry_after: float | None  # when refused: seconds until the cost fits (inf: never refills)


def refill_and_spend(
    tokens: float, at: float, now: float, cost: int, burst: int, per_second: float
) -> tuple[float, Spend]:
    """The bucket's new level and the decision, for a bucket at `tokens` last seen at `at`."""
    cost = min(cost, burst)  # a request within the query cost limit can always run eventually
    tokens = min(float(burst), tokens + max(0.0, now - at) * per_second)
    allowed = tokens >= cost
    retry_after = None
    if allowed:
        tokens -= cost
    else:
        retry_after = math.inf if per_second <= 0 else (cost - tokens) / per_second
    missing = burst - tokens
    reset = 0 if missing <= 0 else (2**31 if per_second <= 0 else math.ceil(missing / per_second))
    return tokens, Spend(allowed, burst, int(tokens), reset, retry_after)


class RateLimiter(Protocol):
    burst: int
    per_second: float

    def spend(self, subject: str, cost: int) -> Spend: ...


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """The buckets of this process."""

    def __init__(self, burst: int, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def spend(self, subject: str, cost: int) -> Spend:
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(subject)
            if bucket is None:
                bucket = self._buckets[subject] = _Bucket(float(self.burst), now)
            bucket.tokens, decision = refill_and_spend(bucket.tokens, bucket.at, now, cost, self.burst, self.per_second)
            bucket.at = now
            return decision

    def take(self, subject: str, cost: int) -> float | None:
        """Spend `cost` points of `subject`'s bucket; None when done, else seconds to wait."""
        return self.spend(subject, cost).retry_after


class RedisTokenBuckets:
    """The buckets in Redis, shared by every process that uses the same Redis and prefix.

    `client` is a synchronous redis-py client with short timeouts (a spend is two or three
    round trips on the event loop's thread); `fallback` decides when Redis does not answer."""

    PREFIX = "c360:ratelimit:"
    TRIES = 8

    def __init__(self, client: Any, burst: int, per_second: float, fallback: TokenBuckets | None = None) -> None:
        self.client = client
        self.burst = burst
        self.per_second = per_second
        self.fallback = fallback or TokenBuckets(burst, per_second)
        # A full bucket needs no key: keys expire once they would have refilled.
        self.ttl = 3600 if per_second <= 0 else max(1, math.ceil(burst / per_second) + 1)

    def spend(self, subject: str, cost: int) -> Spend:
        import redis

        key = self.PREFIX + subject
        try:
            with self.client.pipeline() as pipe:
                for _ in range(self.TRIES):
                    try:
                        pipe.watch(key)
                        seconds, micros = pipe.time()
                        now = seconds + micros / 1_000_000
                        tokens, at = pipe.hmget(key, "tokens", "at")
                        level = float(self.burst) if tokens is None else float(tokens)
                        tokens_after, decision = refill_and_spend(
                            level, now if at is None else float(at), now, cost, self.burst, self.per_second
                        )
                        pipe.multi()
                        pipe.hset(key, mapping={"tokens": repr(tokens_after), "at": repr(now)})
                        pipe.expire(key, self.ttl)
                        pipe.execute()
                        return decision
                    except redis.WatchError:
                        continue
        except redis.RedisError as exc:
            log.warning("rate_limit_redis_unavailable", error_type=type(exc).__name__)
            return self.fallback.spend(subject, cost)
        log.warning("rate_limit_contended", tries=self.TRIES)
        return self.fallback.spend(subject, cost)

    def take(self, subject: str, cost: int) -> float | None:
        return self.spend(subject, cost).retry_after


def rate_limiter(burst: int, per_second: float, redis_url: str | None) -> RateLimiter:
    """Redis's buckets when `redis_url` is set, else the process's."""
    if not redis_url:
        return TokenBuckets(burst, per_second)
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=0.25, socket_timeout=0.25)
    return RedisTokenBuckets(client, burst, per_second)
