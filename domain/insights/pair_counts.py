"""Keeping `purchase_pair_counts` equal to the histogram of `customer_purchase_days`.

Every change to the purchase days removes some rows and adds others (`refresh_purchase_days`
returns both); `pair_deltas` turns them into signed changes of the cells they count in, and
`apply_pair_deltas` adds those in one upsert, cells in key order so two writers never wait on
each other in a cycle. A cell that drops to zero stays (it adds nothing to a sum).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, case, func, literal, select, text, union_all
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.insights.models import NO_DAY_AFTER, NO_DAY_BEFORE, PurchaseDay, PurchasePairCount

days = table_of(PurchaseDay)
counts = table_of(PurchasePairCount)
Cell = tuple[str, str, Any, Any]  # (scope, pair, first, second)


def cells_of(row: Any) -> list[Cell]:
    """The three cells a purchase-day row counts in (see PAIRS)."""
    before = row.prev_day or NO_DAY_BEFORE
    after = row.next_day or NO_DAY_AFTER
    return [
        (row.scope, "DAY_PREV", row.day, before),
        (row.scope, "PREV_NEXT", before, after),
        (row.scope, "DAY_NEXT", row.day, after),
    ]


def pair_deltas(removed: Iterable[Any], added: Iterable[Any]) -> list[dict[str, Any]]:
    """The non-zero changes of the cells, in key order, for rows removed and rows added."""
    change: dict[Cell, list[int]] = defaultdict(lambda: [0, 0])
    for rows, sign in ((removed, -1), (added, 1)):
        for row in rows:
            for cell in cells_of(row):
                change[cell][0] += sign
                change[cell][1] += sign * (row.orders == 1)
    return [
        {"scope": s, "pair": p, "first": f, "second": t, "days": n, "single_order_days": one}
        for (s, p, f, t), (n, one) in sorted(change.items())
        if n or one
    ]


# PostgreSQL: one statement over arrays (far cheaper than one parameter set per cell); unnest
# keeps the arrays' order, so the cells are still updated in key order.
_UPSERT_ARRAYS = text(
    """INSERT INTO purchase_pair_counts (scope, pair, first, second, days, single_order_days)
    SELECT * FROM unnest(CAST(:scope AS text[]), CAST(:pair AS text[]), CAST(:first AS date[]),
                         CAST(:second AS date[]), CAST(:days AS integer[]), CAST(:single_order_days AS integer[]))
    ON CONFLICT (scope, pair, first, second) DO UPDATE
    SET days = purchase_pair_counts.days + excluded.days,
        single_order_days = purchase_pair_counts.single_order_days + excluded.single_order_days"""
)


async def apply_pair_deltas(conn: AsyncConnection, deltas: Sequence[dict[str, Any]]) -> None:
    if not deltas:
        return
    if conn.dialect.name == "postgresql":
        await conn.execute(_UPSERT_ARRAYS, {key: [d[key] for d in deltas] for key in deltas[0]})
        return
    upsert = sqlite_insert(counts)
    statement = upsert.on_conflict_do_update(
        index_elements=[counts.c.scope, counts.c.pair, counts.c.first, counts.c.second],
        set_={
            "days": counts.c.days + upsert.excluded.days,
            "single_order_days": counts.c.single_order_days + upsert.excluded.single_order_days,
        },
    )
    await conn.execute(statement, list(deltas))


def pair_counts_of_days() -> Select[*tuple[Any, ...]]:
    """The whole histogram computed from `customer_purchase_days` (what the migration's
    backfill writes; a test checks that the kept table agrees)."""
    before = func.coalesce(days.c.prev_day, NO_DAY_BEFORE)
    after = func.coalesce(days.c.next_day, NO_DAY_AFTER)
    single = func.sum(case((days.c.orders == 1, 1), else_=0))
    parts = [
        select(days.c.scope, literal(pair).label("pair"), first.label("first"), second.label("second"))
        .add_columns(func.count().label("days"), single.label("single_order_days"))
        .group_by(days.c.scope, first, second)
        for pair, first, second in (
            ("DAY_PREV", days.c.day, before),
            ("PREV_NEXT", before, after),
            ("DAY_NEXT", days.c.day, after),
        )
    ]
    return select(union_all(*parts).subquery("cells"))
