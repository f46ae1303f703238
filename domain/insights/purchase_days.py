"""Keeping `customer_purchase_days` equal to what the orders say (see docs/insights.md).

The rollup is a pure function of `orders`: `purchase_days(customer_ids)` computes the rows a set
of customers should have, and `refresh_purchase_days` makes the table agree for them, touching
only the rows that differ (a new order usually inserts one row per scope and moves the
`next_day` of the row before it). It is called from `refresh_order_stats`, which every writer of
orders already calls for the customers whose orders changed: recording one order or a batch, a
merge (the merged-away customers' rows are dropped by insights' merge handler, on_merge.py, and
the survivor's rebuilt with its order statistics) and an unmerge (both customers are rebuilt).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Date, Select, and_, delete, exists, func, insert, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from domain.base import table_of
from domain.insights.models import ALL_CHANNELS, PurchaseDay
from domain.insights.pair_counts import apply_pair_deltas, pair_deltas
from domain.orders.models import Order

orders = table_of(Order)
days = table_of(PurchaseDay)
COLUMNS = ("customer_id", "scope", "day", "orders", "prev_day", "next_day")


class utc_day(FunctionElement[Any]):
    """The UTC calendar date of a stored timestamp."""

    type = Date()
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"  # SQLite stores naive UTC text


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


def purchase_days(customer_ids: Sequence[int] | None = None) -> Select[*tuple[Any, ...]]:
    """The rows the rollup should hold for these customers (all customers with None)."""
    conditions = [orders.c.status != "RETURNED"]
    if customer_ids is not None:
        conditions.append(orders.c.customer_id.in_(customer_ids))
    day = utc_day(orders.c.placed_at)
    per_channel = (
        select(orders.c.customer_id, orders.c.channel.label("scope"), day.label("day"), func.count().label("orders"))
        .where(*conditions)
        .group_by(orders.c.customer_id, orders.c.channel, day)
    )
    every_channel = (
        select(orders.c.customer_id, literal(ALL_CHANNELS).label("scope"), day.label("day"), func.count())
        .where(*conditions)
        .group_by(orders.c.customer_id, day)
    )
    grouped = union_all(per_channel, every_channel).subquery("grouped")
    scope = (grouped.c.customer_id, grouped.c.scope)
    return select(
        grouped.c.customer_id,
        grouped.c.scope,
        grouped.c.day,
        grouped.c.orders,
        func.lag(grouped.c.day, type_=Date()).over(partition_by=scope, order_by=grouped.c.day).label("prev_day"),
        func.lead(grouped.c.day, type_=Date()).over(partition_by=scope, order_by=grouped.c.day).label("next_day"),
    )


async def refresh_purchase_days(conn: AsyncConnection, customer_ids: Sequence[int]) -> None:
    """Make the rollup rows of these customers exactly `purchase_days(customer_ids)`, and move
    the pair counts by the rows removed and added. The caller holds the customers' locks (as
    every writer of orders does), so nobody else rewrites them meanwhile."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    wanted = purchase_days(ids).cte("wanted")
    same_row = and_(
        wanted.c.customer_id == days.c.customer_id, wanted.c.scope == days.c.scope, wanted.c.day == days.c.day
    )
    unchanged = and_(
        same_row,
        wanted.c.orders == days.c.orders,
        wanted.c.prev_day.is_not_distinct_from(days.c.prev_day),
        wanted.c.next_day.is_not_distinct_from(days.c.next_day),
    )
    removed = (
        await conn.execute(
            delete(days)
            .where(days.c.customer_id.in_(ids), ~exists(select(1).select_from(wanted).where(unchanged)))
            .returning(*(days.c[c] for c in COLUMNS))
        )
    ).all()
    added = (
        await conn.execute(
            insert(days)
            .from_select(
                list(COLUMNS),
                select(*(wanted.c[c] for c in COLUMNS)).where(~exists(select(1).select_from(days).where(same_row))),
            )
            .returning(*(days.c[c] for c in COLUMNS))
        )
    ).all()
    await apply_pair_deltas(conn, pair_deltas(removed, added))
