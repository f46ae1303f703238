"""RFM of a hand-built base against values computed independently here (ties, windows, returns)."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction
from typing import Any

from sqlalchemy import insert, select

from domain.base import table_of
from domain.customers.models import ChannelProfile, Customer
from domain.orders.models import Order
from domain.scoring.models import CustomerScore
from domain.scoring.refresh import refresh_all, refresh_customers

AS_OF = dt.datetime(2026, 6, 30, 15, 0, tzinfo=dt.UTC)
GRID = {
    5: ["NEW_CUSTOMER", "POTENTIAL_LOYALIST", "POTENTIAL_LOYALIST", "CHAMPIONS", "CHAMPIONS"],
    4: ["PROMISING", "POTENTIAL_LOYALIST", "POTENTIAL_LOYALIST", "LOYAL", "CHAMPIONS"],
    3: ["ABOUT_TO_SLEEP", "NEED_ATTENTION", "NEED_ATTENTION", "LOYAL", "LOYAL"],
    2: ["HIBERNATING", "HIBERNATING", "AT_RISK", "AT_RISK", "CANNOT_LOSE"],
    1: ["LOST", "LOST", "AT_RISK", "CANNOT_LOSE", "CANNOT_LOSE"],
}

# name -> orders as (placed_at, cents, status)
D = dt.datetime
BASE: dict[str, list[tuple[dt.datetime, int, str]]] = {
    "a": [(D(2026, 6, 30, 23, 59, tzinfo=dt.UTC), 5000, "PLACED")],  # same UTC date as the as-of: counts
    "b": [(D(2026, 6, 1, tzinfo=dt.UTC), 5000, "PLACED"), (D(2026, 6, 1, 8, tzinfo=dt.UTC), 2500, "PLACED")],
    "c": [(D(2026, 6, 1, tzinfo=dt.UTC), 7500, "PLACED")],  # ties b on recency and monetary
    "d": [(D(2025, 1, 10, tzinfo=dt.UTC), 100, "PLACED"), (D(2026, 2, 1, tzinfo=dt.UTC), 900, "RETURNED")],
    "e": [(D(2024, 7, 1, tzinfo=dt.UTC), 99999, "PLACED"), (D(2024, 7, 2, tzinfo=dt.UTC), 4000, "PLACED")],
    "f": [(D(2024, 6, 30, tzinfo=dt.UTC), 12000, "PLACED")],  # exactly 730 days before: outside the window
    "g": [(D(2026, 7, 1, tzinfo=dt.UTC), 3000, "PLACED")],  # after the as-of date: not counted
    "h": [],
    "i": [(D(2026, 3, 3, tzinfo=dt.UTC), 2000, "PLACED")] * 3,
    "j": [(D(2026, 3, 3, tzinfo=dt.UTC), 2000, "PLACED")] * 3,  # identical to i
}


async def _build(engine) -> dict[str, int]:
    ids = {}
    created = D(2024, 1, 1, tzinfo=dt.UTC)
    async with engine.begin() as conn:
        for n, (name, orders) in enumerate(BASE.items()):
            cid = (
                await conn.execute(
                    insert(table_of(Customer)).values(created_at=created).returning(table_of(Customer).c.id)
                )
            ).scalar_one()
            pid = (
                await conn.execute(
                    insert(table_of(ChannelProfile))
                    .values(
                        customer_id=cid, channel="WEB", external_id=name, first_seen_at=created, last_seen_at=created
                    )
                    .returning(table_of(ChannelProfile).c.id)
                )
            ).scalar_one()
            for k, (at, cents, status) in enumerate(orders):
                await conn.execute(
                    insert(table_of(Order)).values(
                        customer_id=cid,
                        profile_id=pid,
                        channel="WEB",
                        external_id=f"{n}-{k}",
                        placed_at=at,
                        total_cents=cents,
                        currency="CNY",
                        status=status,
                    )
                )
            ids[name] = cid
    return ids


def _expected() -> dict[str, tuple[int, int, int, int, int, int, str] | None]:
    """Independently: (recency, frequency, monetary, r, f, m, segment) per customer, or None."""
    as_of = AS_OF.date()
    facts = {}
    for name, orders in BASE.items():
        counted = [
            (at.date(), cents)
            for at, cents, status in orders
            if status != "RETURNED" and at.date() <= as_of and (as_of - at.date()).days < 730
        ]
        if counted:
            recency = min((as_of - d).days for d, _ in counted)
            facts[name] = (recency, len(counted), sum(c for _, c in counted))
    n = len(facts)

    def quintile(value: int, values: list[int], lower_is_better: bool) -> int:
        at_least_as_bad = sum(1 for v in values if (v >= value if lower_is_better else v <= value))
        return math.ceil(5 * Fraction(at_least_as_bad, n))

    out: dict[str, tuple[int, int, int, int, int, int, str] | None] = {name: None for name in BASE}
    for name, (rec, freq, mon) in facts.items():
        r = quintile(rec, [f[0] for f in facts.values()], lower_is_better=True)
        f = quintile(freq, [f[1] for f in facts.values()], lower_is_better=False)
        m = quintile(mon, [f[2] for f in facts.values()], lower_is_better=False)
        fm = math.floor(Fraction(f + m, 2) + Fraction(1, 2))
        out[name] = (rec, freq, mon, r, f, m, GRID[r][fm - 1])
    return out


async def _scores(engine, ids: dict[str, int]) -> dict[str, tuple[Any, ...] | None]:
    s = table_of(CustomerScore)
    async with engine.connect() as conn:
        rows = {r.customer_id: r for r in (await conn.execute(select(s))).all()}
    return {
        name: (
            None
            if rows[cid].r is None
            else (
                rows[cid].recency_days,
                rows[cid].frequency,
                rows[cid].monetary_cents,
                rows[cid].r,
                rows[cid].f,
                rows[cid].m,
                rows[cid].rfm_segment,
            )
        )
        for name, cid in ids.items()
    }


async def test_rfm_matches_an_independent_computation(engine) -> None:
    ids = await _build(engine)
    result = await refresh_all(engine, AS_OF)
    expected = _expected()
    assert await _scores(engine, ids) == expected
    b, c = expected["b"], expected["c"]
    assert b is not None and c is not None and b[0] == c[0] and b[2] == c[2]  # the ties are real
    assert expected["i"] == expected["j"]
    assert expected["f"] is None and expected["g"] is None and expected["h"] is None
    assert result["customers"] == len(BASE) and result["rfmScored"] == 7


async def test_customer_without_orders_and_a_second_run(engine) -> None:
    ids = await _build(engine)
    await refresh_all(engine, AS_OF)
    s = table_of(CustomerScore)

    async def snapshot() -> list[tuple[Any, ...]]:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(s).order_by(s.c.customer_id))).all()
        return [tuple(v for k, v in r._mapping.items() if k not in ("computed_at", "model_id")) for r in rows]

    first = await snapshot()
    async with engine.connect() as conn:
        row = (await conn.execute(select(s).where(s.c.customer_id == ids["h"]))).one()
    assert row.probability_alive == 1.0 and row.churn_risk == 0.0
    assert row.predicted_12m_cents == 0 and row.historic_cents == 0 and row.r is None and row.rfm_segment is None
    assert row.lifecycle_stage == "GROWING"  # created 2024-01-01: over 90 days old, no orders
    await refresh_all(engine, AS_OF)
    assert await snapshot() == first  # a second run changes nothing


async def test_a_restricted_refresh_agrees_with_the_full_one(engine) -> None:
    ids = await _build(engine)
    await refresh_all(engine, AS_OF)
    full = await _scores(engine, ids)
    assert await refresh_customers(engine, list(ids.values()), AS_OF) is not None
    assert await _scores(engine, ids) == full  # scored against the base breakpoints: same scores
