"""Points on orders, the immediate tier rise, the daily evaluation and FIFO expiry."""

from __future__ import annotations

import datetime as dt
import decimal

from sqlalchemy import func, select

from domain.jobs.requests import jobs
from domain.loyalty.earn import expire_points, ledger, points_for
from domain.loyalty.tiers import accounts, evaluate_tiers
from domain.orders.record import LineData, OrderData, record_order

T0 = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)


async def _order(engine, ext: str, amount: str, at: dt.datetime, buyer: str = "c-1") -> int:
    data = OrderData(
        channel="WEB",
        external_id=ext,
        customer_external_id=buyer,
        placed_at=at,
        lines=(LineData(sku="s", name="thing", quantity=1, unit_price=decimal.Decimal(amount)),),
    )
    async with engine.begin() as conn:
        return (await record_order(conn, data)).customer_id


async def _ledger(engine, customer_id: int) -> list[tuple[int, str, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(ledger.c.delta, ledger.c.reason, ledger.c.remaining)
            .where(ledger.c.customer_id == customer_id)
            .order_by(ledger.c.at, ledger.c.id)
        )
        return [tuple(r) for r in rows]


async def _tier(engine, customer_id: int) -> str:
    async with engine.connect() as conn:
        return str(
            (await conn.execute(select(accounts.c.tier_code).where(accounts.c.customer_id == customer_id))).scalar()
        )


def test_points_are_floored_exactly() -> None:
    assert points_for(199999, 1.0) == 1999
    assert points_for(1000, 1.2) == 12  # not 11 from 1.2 = 1.19999...
    assert points_for(99, 1.5) == 1 and points_for(0, 2.0) == 0


async def test_an_order_earns_once_and_points_expire_a_year_later(engine) -> None:
    cid = await _order(engine, "o-1", "1999.99", T0)
    await _order(engine, "o-1", "1999.99", T0)  # replayed: same order, no second credit
    assert await _ledger(engine, cid) == [(1999, "order", 1999)]
    async with engine.connect() as conn:
        expires = (await conn.execute(select(ledger.c.expires_at))).scalar_one()
    assert expires == T0 + dt.timedelta(days=365)
    async with engine.begin() as conn:
        assert await expire_points(conn, T0 + dt.timedelta(days=364)) == 0
    async with engine.begin() as conn:
        assert await expire_points(conn, T0 + dt.timedelta(days=366)) == 1999
    async with engine.begin() as conn:
        assert await expire_points(conn, T0 + dt.timedelta(days=367)) == 0  # nothing twice
    assert await _ledger(engine, cid) == [(1999, "order", 0), (-1999, "expired", 0)]


async def test_tier_rises_at_once_and_falls_only_at_the_evaluation(engine) -> None:
    cid = await _order(engine, "o-1", "1500.00", T0)
    assert await _tier(engine, cid) == "MEMBER"
    await _order(engine, "o-2", "600.00", T0 + dt.timedelta(days=30))  # 2100 in 365 days: SILVER now
    assert await _tier(engine, cid) == "SILVER"
    await _order(engine, "o-3", "100.00", T0 + dt.timedelta(days=31))  # earns at x1.2
    assert [d for d, _, _ in await _ledger(engine, cid)] == [1500, 600, 120]
    async with engine.begin() as conn:
        assert await evaluate_tiers(conn, T0 + dt.timedelta(days=100)) == 0  # still 2200 in the window
    async with engine.begin() as conn:
        assert await evaluate_tiers(conn, T0 + dt.timedelta(days=380)) == 1  # o-1 left the window
    assert await _tier(engine, cid) == "MEMBER"


async def test_the_evaluation_gives_each_account_the_tier_of_its_own_spend(engine) -> None:
    big = await _order(engine, "b-1", "2500.00", T0, buyer="big")  # SILVER at once
    small = await _order(engine, "s-1", "300.00", T0, buyer="small")
    other = await _order(engine, "m-1", "1900.00", T0, buyer="mid")
    await _order(engine, "m-2", "200.00", T0 + dt.timedelta(days=1), buyer="mid")  # 2100: SILVER
    async with engine.begin() as conn:
        await evaluate_tiers(conn, T0 + dt.timedelta(days=2))  # 4900 in all: no one's own spend
    assert [await _tier(engine, c) for c in (big, small, other)] == ["SILVER", "MEMBER", "SILVER"]
    async with engine.begin() as conn:
        assert await evaluate_tiers(conn, T0 + dt.timedelta(days=2)) == 0


async def test_a_burst_of_orders_requests_one_debounced_score_refresh(engine) -> None:
    cid = await _order(engine, "o-1", "10.00", T0)
    for n in range(2, 6):
        await _order(engine, f"o-{n}", "10.00", T0)
    other = await _order(engine, "p-1", "10.00", T0, buyer="c-2")
    async with engine.connect() as conn:
        rows = (await conn.execute(select(jobs.c.customer_id, jobs.c.params, jobs.c.status))).all()
        assert (await conn.execute(select(func.count()).select_from(jobs))).scalar() == 2
    assert sorted((r.customer_id, r.params["customerIds"], r.status) for r in rows) == [
        (cid, [cid], "QUEUED"),
        (other, [other], "QUEUED"),
    ]
