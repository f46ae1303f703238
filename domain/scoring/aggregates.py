"""Per-customer inputs of the scores from one SQL pass over orders (SQLite and PostgreSQL).

Orders with status RETURNED do not count; an order counts when its UTC calendar date is on or
before the as-of date. Days are whole UTC calendar days since 1970-01-01. A customer's orders of
one day make one purchase day (the unit of the BG/NBD and Gamma-Gamma models).

`r`, `f`, `m` come from window functions over the customers with an order in the 730-day window,
as `ceil(5 * cume_dist())` written in integers: with k the customers whose value is <= this one's
(peers included, which is what `cume_dist` counts) and n all of them, ceil(5k/n) = (5k + n - 1) / n
in integer division, so no floating point rounding can move a score across a boundary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import UTCDateTime

RFM_WINDOW_DAYS: Final = 730
IntArray = NDArray[np.int64]

_DAY = {
    "postgresql": "((({col}) AT TIME ZONE 'UTC')::date - DATE '1970-01-01')",
    "sqlite": "CAST(julianday(substr({col}, 1, 10)) - 2440587.5 AS INTEGER)",
}


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return (d - dt.date(1970, 1, 1)).days


def _score(k: str) -> str:
    return f"(5 * {k} + n - 1) / n"


def aggregates_sql(dialect: str, *, restricted: bool) -> TextClause:
    """Per customer: created day, purchase days, first/last purchase day, all-time spend, the
    first day's spend, order count, and frequency/monetary over the window; with the r/f/m
    scores against the whole base unless `restricted` (then only `:ids`, scored by the caller)."""
    day = _DAY[dialect]
    only = "AND customer_id IN :ids" if restricted else ""
    ranks = (
        ""
        if restricted
        else f""",
        w AS (
            SELECT customer_id,
                   COUNT(*) OVER (ORDER BY last_day) AS kr,
                   COUNT(*) OVER (ORDER BY frequency) AS kf,
                   COUNT(*) OVER (ORDER BY monetary_cents) AS km,
                   COUNT(*) OVER () AS n
            FROM c WHERE frequency > 0
        ),
        ranks AS (
            SELECT customer_id, {_score("kr")} AS r, {_score("kf")} AS f, {_score("km")} AS m FROM w
        )"""
    )
    rank_cols = "NULL AS r, NULL AS f, NULL AS m" if restricted else "ranks.r, ranks.f, ranks.m"
    rank_join = "" if restricted else "LEFT JOIN ranks ON ranks.customer_id = cu.id"
    sql = f"""
        WITH d AS (
            SELECT customer_id, day, SUM(total_cents) AS day_cents, COUNT(*) AS orders,
                   ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY day) AS nth
            FROM (
                SELECT customer_id, {day.format(col="placed_at")} AS day, total_cents
                FROM orders
                WHERE status <> 'RETURNED' AND placed_at < :cutoff {only}
            ) o
            GROUP BY customer_id, day
        ),
        c AS (
            SELECT customer_id,
                   COUNT(*) AS purchase_days,
                   MIN(day) AS first_day,
                   MAX(day) AS last_day,
                   SUM(day_cents) AS total_cents,
                   SUM(CASE WHEN nth = 1 THEN day_cents ELSE 0 END) AS first_day_cents,
                   SUM(orders) AS order_count,
                   SUM(CASE WHEN day > :window_start THEN orders ELSE 0 END) AS frequency,
                   SUM(CASE WHEN day > :window_start THEN day_cents ELSE 0 END) AS monetary_cents
            FROM d GROUP BY customer_id
        ){ranks}
        SELECT cu.id AS customer_id, {day.format(col="cu.created_at")} AS created_day,
               COALESCE(c.purchase_days, 0), COALESCE(c.first_day, 0), COALESCE(c.last_day, 0),
               COALESCE(c.total_cents, 0), COALESCE(c.first_day_cents, 0), COALESCE(c.order_count, 0),
               COALESCE(c.frequency, 0), COALESCE(c.monetary_cents, 0), {rank_cols}
        FROM customers cu
        LEFT JOIN c ON c.customer_id = cu.id
        {rank_join}
        {"WHERE cu.id IN :ids" if restricted else ""}
        ORDER BY cu.id
    """
    params = [bindparam("cutoff", type_=UTCDateTime)]
    if restricted:
        params.append(bindparam("ids", expanding=True))
    return text(sql).bindparams(*params)


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
    r: IntArray  # 0 where not scored (no order in the window, or a restricted query)
    f: IntArray
    m: IntArray

    @property
    def size(self) -> int:
        return int(self.customer_id.size)


async def load_aggregates(
    conn: AsyncConnection, as_of: dt.datetime, customer_ids: Sequence[int] | None = None
) -> Aggregates:
    """The inputs as of `as_of` for every customer, or for `customer_ids` (without r/f/m)."""
    as_of_date = as_of.astimezone(dt.UTC).date()
    as_of_day = day_number(as_of_date)
    cutoff = dt.datetime.combine(as_of_date + dt.timedelta(days=1), dt.time(), dt.UTC)
    params: dict[str, Any] = {"cutoff": cutoff, "window_start": as_of_day - RFM_WINDOW_DAYS}
    restricted = customer_ids is not None
    if restricted:
        params["ids"] = list(customer_ids or [])
    statement = aggregates_sql(conn.dialect.name, restricted=restricted)
    rows = (await conn.execute(statement, params)).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 13

    def col(i: int) -> IntArray:
        return np.fromiter((v or 0 for v in columns[i]), dtype=np.int64, count=len(rows))

    return Aggregates(as_of_day, *(col(i) for i in range(13)))
