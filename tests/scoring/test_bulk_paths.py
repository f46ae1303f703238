"""A full refresh of a base big enough for the bulk paths (on PostgreSQL: the binary COPY of the
aggregates out and of the scores in) gives what the row-by-row paths and an independent
computation give: same inputs per customer, same scores per customer."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert, select

from domain.base import table_of
from domain.customers.models import ChannelProfile, Customer
from domain.orders.models import Order
from domain.scoring.aggregates import day_number, load_aggregates
from domain.scoring.compute import model_inputs_of
from domain.scoring.models import CustomerScore
from domain.scoring.refresh import refresh_all, refresh_customers
from domain.scoring.store import COPY_FROM
from domain.scoring.summary import summarize

AS_OF = dt.datetime(2026, 6, 30, 15, 0, tzinfo=dt.UTC)
CUSTOMERS = COPY_FROM + 300


async def _build(engine) -> list[tuple[int, dt.datetime, int, str]]:
    """Customers 1..CUSTOMERS, one in 7 without orders; orders over three years around the as-of
    date (some after it, 5% RETURNED, some on the same day); returns (customer, at, cents, status)."""
    rng = random.Random(11)
    start = dt.datetime(2023, 7, 1, tzinfo=dt.UTC)
    customers, profiles, orders = [], [], []
    for cid in range(1, CUSTOMERS + 1):
        created = start + dt.timedelta(days=rng.randrange(1000), hours=rng.randrange(24))
        customers.append({"id": cid, "created_at": created, "updated_at": created})
        profiles.append(
            {
                "id": cid,
                "customer_id": cid,
                "channel": "WEB",
                "external_id": f"p{cid}",
                "first_seen_at": created,
                "last_seen_at": created,
            }
        )
        if cid % 7 == 0:
            continue
        at = start + dt.timedelta(days=rng.randrange(900), minutes=rng.randrange(1440))
        for _ in range(rng.choice([1, 1, 2, 3, 5, 8])):
            orders.append((cid, at, rng.randrange(100, 50_000), "RETURNED" if rng.random() < 0.05 else "PLACED"))
            at += dt.timedelta(hours=rng.choice([1, 20, 24 * rng.randrange(1, 90)]))
    async with engine.begin() as conn:
        await conn.execute(insert(table_of(Customer)), customers)
        await conn.execute(insert(table_of(ChannelProfile)), profiles)
        await conn.execute(
            insert(table_of(Order)),
            [
                {
                    "id": n,
                    "customer_id": cid,
                    "profile_id": cid,
                    "channel": "WEB",
                    "external_id": f"o{n}",
                    "placed_at": at,
                    "total_cents": cents,
                    "currency": "CNY",
                    "status": status,
                }
                for n, (cid, at, cents, status) in enumerate(orders, start=1)
            ],
        )
    return orders


async def _snapshot(engine) -> dict[int, tuple[Any, ...]]:
    s = table_of(CustomerScore)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(s))).all()
    return {
        r.customer_id: tuple(v for k, v in r._mapping.items() if k not in ("computed_at", "model_id")) for r in rows
    }


async def test_bulk_inputs_match_the_row_path_and_an_independent_summary(engine) -> None:
    orders = await _build(engine)
    async with engine.connect() as conn:
        full = await load_aggregates(conn, AS_OF)
        rows = await load_aggregates(conn, AS_OF, list(range(1, CUSTOMERS + 1)))
    for name in (
        "customer_id",
        "created_day",
        "purchase_days",
        "first_day",
        "last_day",
        "total_cents",
        "first_day_cents",
        "order_count",
        "frequency",
        "monetary_cents",
    ):
        assert np.array_equal(getattr(full, name), getattr(rows, name)), name
    counted = [(cid, day_number(at.date()), cents) for cid, at, cents, status in orders if status == "PLACED"]
    ids, days, cents = (np.array(c) for c in zip(*counted, strict=True))
    summary = summarize(ids, days, cents / 100.0, full.as_of_day)
    inputs = model_inputs_of(full)
    at = np.searchsorted(full.customer_id, summary.ids)
    assert np.array_equal(np.flatnonzero(inputs.buyers), at)
    assert np.array_equal(inputs.x[at], summary.x)
    assert np.allclose(inputs.t_x[at], summary.t_x) and np.allclose(inputs.T[at], summary.T)
    assert np.allclose(inputs.zbar[at], summary.zbar)
    assert 0 < int((full.frequency > 0).sum()) < int(inputs.buyers.sum()) < CUSTOMERS  # windows and gaps are real


async def test_bulk_write_gives_the_scores_of_the_row_writes(engine) -> None:
    await _build(engine)
    result = await refresh_all(engine, AS_OF)
    assert result["customers"] == CUSTOMERS
    bulk = await _snapshot(engine)
    assert len(bulk) == CUSTOMERS
    # Rescore everyone in batches below COPY_FROM: the SQLAlchemy reader and the executemany writer.
    for start in range(1, CUSTOMERS + 1, COPY_FROM // 2):
        ids = list(range(start, min(start + COPY_FROM // 2, CUSTOMERS + 1)))
        assert (await refresh_customers(engine, ids, AS_OF)) == {"customers": len(ids), "modelId": result["modelId"]}
    assert await _snapshot(engine) == bulk
    await refresh_all(engine, AS_OF)
    assert await _snapshot(engine) == bulk  # a second full run changes nothing
    s = table_of(CustomerScore)
    async with engine.connect() as conn:
        row = (await conn.execute(select(s).where(s.c.customer_id == 7))).one()
        segments = set((await conn.execute(select(s.c.rfm_segment).distinct())).scalars())
        stages = set((await conn.execute(select(s.c.lifecycle_stage).distinct())).scalars())
    assert row.r is None and row.rfm_segment is None and row.recency_days is None
    assert row.probability_alive == 1.0 and row.predicted_12m_cents == 0 and row.historic_cents == 0
    assert None in segments and len(segments) > 5 and len(stages) >= 3


@pytest.mark.parametrize("as_of", [dt.datetime(2025, 3, 31, tzinfo=dt.UTC)])
async def test_a_past_as_of_leaves_later_orders_out(engine, as_of: dt.datetime) -> None:
    orders = await _build(engine)
    async with engine.connect() as conn:
        agg = await load_aggregates(conn, as_of)
    last = day_number(as_of.date())
    expected: dict[int, int] = {}
    for cid, at, cents, status in orders:
        if status == "PLACED" and day_number(at.date()) <= last:
            expected[cid] = expected.get(cid, 0) + cents
    got = {int(c): int(t) for c, t in zip(agg.customer_id, agg.total_cents, strict=True) if t}
    assert got == expected
