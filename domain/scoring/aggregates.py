"""Per-customer inputs of the scores from one SQL pass over orders (SQLite and PostgreSQL).

Orders with status RETURNED do not count; an order counts when its UTC calendar date is on or
before the as-of date. Days are whole UTC calendar days since 1970-01-01. A customer's orders of
one day make one purchase day (the unit of the BG/NBD and Gamma-Gamma models).

The pass reads each customer's orders in `placed_at` order: on PostgreSQL the covering index
`ix_orders_customer_id_placed_at` (customer_id, placed_at, id) INCLUDE (total_cents, status)
hands them over in that order from the index alone, so nothing is sorted or hashed. `LAG` tells a
new purchase day from another order on the same day, `FIRST_VALUE` names the first day, and one
group per customer sums it up. A full refresh reads the result (one row per customer) through a
binary COPY into numpy (domain/pgcopy.py) instead of a million Python rows.

`r`, `f`, `m` are `ceil(5 * cume_dist())` over the customers with an order in the 730-day window
(domain/scoring/rfm.rfm_scores): with k the customers whose value is <= this one's (peers
included, which is what `cume_dist` counts) and n all of them, ceil(5k/n) = (5k + n - 1) // n in
integers, so no floating point rounding can move a score across a boundary. They are ranked in
numpy on the fetched arrays (a sort of a million integers), not with three SQL window sorts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import UTCDateTime
from domain.pgcopy import fetch_int64_columns
from domain.scoring.rfm import rfm_scores

RFM_WINDOW_DAYS: Final = 730
IntArray = NDArray[np.int64]
HOLDOUT_DAYS: Final = 180  # model validation: refit on the orders up to as-of minus this, compare the rest
_COLUMNS: Final = 13  # selected by aggregates_sql, in the order of the Aggregates fields

_DAY = {
    "postgresql": "((({col}) AT TIME ZONE 'UTC')::date - DATE '1970-01-01')",
    "sqlite": "CAST(julianday(substr({col}, 1, 10)) - 2440587.5 AS INTEGER)",
}


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return (d - dt.date(1970, 1, 1)).days


def aggregates_sql(
    dialect: str,
    *,
    restricted: bool,
    cutoff: str = ":cutoff",
    window_start: str = ":window_start",
    calibration_day: str = ":calibration_day",
) -> str:
    """Per customer (every one, or only `:ids`), sorted by id: id, created day, purchase days,
    first and last purchase day, all-time spend, the first day's spend, order count, the
    orders and spend in the RFM window (after `window_start`), and the purchase days, last
    purchase day and spend up to `calibration_day` (model validation). Each a non-null integer."""
    day = _DAY[dialect]
    only = "AND customer_id IN :ids" if restricted else ""
    return f"""
        WITH o AS (
            SELECT customer_id, day, total_cents,
                   LAG(day) OVER by_time AS previous_day,
                   FIRST_VALUE(day) OVER by_time AS first_day
            FROM (
                SELECT customer_id, placed_at, {day.format(col="placed_at")} AS day, total_cents
                FROM orders
                WHERE status <> 'RETURNED' AND placed_at < {cutoff} {only}
            ) counted
            WINDOW by_time AS (PARTITION BY customer_id ORDER BY placed_at)
        ),
        c AS (
            SELECT customer_id,
                   SUM(CASE WHEN day = previous_day THEN 0 ELSE 1 END) AS purchase_days,
                   MIN(first_day) AS first_day,
                   MAX(day) AS last_day,
                   SUM(total_cents) AS total_cents,
                   SUM(CASE WHEN day = first_day THEN total_cents ELSE 0 END) AS first_day_cents,
                   COUNT(*) AS order_count,
                   SUM(CASE WHEN day > {window_start} THEN 1 ELSE 0 END) AS frequency,
                   SUM(CASE WHEN day > {window_start} THEN total_cents ELSE 0 END) AS monetary_cents,
                   SUM(CASE WHEN day > {calibration_day} OR day = previous_day THEN 0 ELSE 1 END)
                       AS calibration_days,
                   MAX(CASE WHEN day <= {calibration_day} THEN day END) AS calibration_last_day,
                   SUM(CASE WHEN day <= {calibration_day} THEN total_cents ELSE 0 END) AS calibration_cents
            FROM o GROUP BY customer_id
        )
        SELECT CAST(cu.id AS BIGINT), CAST({day.format(col="cu.created_at")} AS BIGINT),
               CAST(COALESCE(c.purchase_days, 0) AS BIGINT), CAST(COALESCE(c.first_day, 0) AS BIGINT),
               CAST(COALESCE(c.last_day, 0) AS BIGINT), CAST(COALESCE(c.total_cents, 0) AS BIGINT),
               CAST(COALESCE(c.first_day_cents, 0) AS BIGINT), CAST(COALESCE(c.order_count, 0) AS BIGINT),
               CAST(COALESCE(c.frequency, 0) AS BIGINT), CAST(COALESCE(c.monetary_cents, 0) AS BIGINT),
               CAST(COALESCE(c.calibration_days, 0) AS BIGINT), CAST(COALESCE(c.calibration_last_day, 0) AS BIGINT),
               CAST(COALESCE(c.calibration_cents, 0) AS BIGINT)
        FROM customers cu
        LEFT JOIN c ON c.customer_id = cu.id
        {"WHERE cu.id IN :ids" if restricted else ""}
        ORDER BY cu.id
    """


@dataclass(frozen=True)
class Aggregates:
    """One row per customer (sorted by id); days are day numbers, money in cents."""

    as_of_day: int
    customer_id: IntArray
    created_day: IntArray
    purchase_days: IntArray
    first_day: IntArray
    last_day: IntArray
    total_cents: IntArray
    first_day_cents: IntArray
    order_count: IntArray
    frequency: IntArray  # orders in the RFM window
    monetary_cents: IntArray  # their total
    calibration_days: IntArray  # purchase days on or before as_of_day - holdout_days
    calibration_last_day: IntArray  # the last of them (0 without)
    calibration_cents: IntArray  # the spend of those days
    r: IntArray  # 0 where not scored (no order in the window, or a restricted query)
    f: IntArray
    m: IntArray

    holdout_days: int = HOLDOUT_DAYS

    @property
    def size(self) -> int:
        return int(self.customer_id.size)

    @property
    def calibration_day(self) -> int:
        return self.as_of_day - self.holdout_days


async def _fetch(
    conn: AsyncConnection, cutoff: dt.datetime, window_start: int, calibration_day: int, ids: list[int] | None
) -> IntArray:
    dialect = conn.dialect.name
    if dialect == "postgresql" and ids is None:
        query = aggregates_sql(dialect, restricted=False, cutoff="$1", window_start="$2", calibration_day="$3")
        return await fetch_int64_columns(conn, query, [cutoff, window_start, calibration_day], _COLUMNS)
    statement = text(aggregates_sql(dialect, restricted=ids is not None)).bindparams(
        bindparam("cutoff", type_=UTCDateTime), *([bindparam("ids", expanding=True)] if ids is not None else [])
    )
    params: dict[str, Any] = {"cutoff": cutoff, "window_start": window_start, "calibration_day": calibration_day}
    if ids is not None:
        params["ids"] = ids
    rows = (await conn.execute(statement, params)).all()
    return np.array(rows, dtype=np.int64).reshape(len(rows), _COLUMNS)


async def load_aggregates(
    conn: AsyncConnection,
    as_of: dt.datetime,
    customer_ids: Sequence[int] | None = None,
    *,
    holdout_days: int = HOLDOUT_DAYS,
) -> Aggregates:
    """The inputs as of `as_of` for every customer (with r/f/m against all of them), or for
    `customer_ids` (r/f/m left 0: the caller scores them against the last full refresh)."""
    as_of_date = as_of.astimezone(dt.UTC).date()
    as_of_day = day_number(as_of_date)
    cutoff = dt.datetime.combine(as_of_date + dt.timedelta(days=1), dt.time(), dt.UTC)
    ids = None if customer_ids is None else list(customer_ids)
    table = await _fetch(conn, cutoff, as_of_day - RFM_WINDOW_DAYS, as_of_day - holdout_days, ids)
    (
        customer_id,
        created_day,
        purchase_days,
        first_day,
        last_day,
        total,
        first_day_cents,
        orders,
        frequency,
        monetary,
        calibration_days,
        calibration_last_day,
        calibration_cents,
    ) = (np.ascontiguousarray(table[:, i]) for i in range(_COLUMNS))
    r, f, m = (np.zeros(table.shape[0], dtype=np.int64) for _ in range(3))
    scored = frequency > 0
    if ids is None and scored.any():
        # Recency ranks the last purchase day: a later day is better (fewer days since it).
        r[scored] = rfm_scores(last_day[scored], higher_is_better=True)
        f[scored] = rfm_scores(frequency[scored], higher_is_better=True)
        m[scored] = rfm_scores(monetary[scored], higher_is_better=True)
    return Aggregates(
        as_of_day,
        customer_id,
        created_day,
        purchase_days,
        first_day,
        last_day,
        total,
        first_day_cents,
        orders,
        frequency,
        monetary,
        calibration_days,
        calibration_last_day,
        calibration_cents,
        r,
        f,
        m,
        holdout_days,
    )
