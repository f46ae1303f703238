"""redeemPoints and tiers through GraphQL: FIFO over unexpired earnings, never below zero."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from domain.base import table_of
from domain.loyalty.models import PointsEntry
from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.crm_factories import create_customer, earn_points

NOW = dt.datetime.now(dt.UTC)
REDEEM = """mutation($id: ID!, $points: Int!, $reason: String!) {
  redeemPoints(customerId: $id, points: $points, reason: $reason) {
    account { pointsBalance pointsExpiringWithin30Days tier { code } } errors { code field } } }"""


async def redeem(gql, customer_id: int, points: int, role: Role = Role.ADMIN):
    variables = {"id": encode_id("Customer", customer_id), "points": points, "reason": "voucher"}
    return (await gql(REDEEM, variables, role=role))["redeemPoints"]


async def remaining_by_entry(engine, customer_id: int) -> dict[int, int]:
    ledger = table_of(PointsEntry)
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(ledger.c.id, ledger.c.remaining).where(ledger.c.customer_id == customer_id, ledger.c.delta > 0)
        )
        return {r.id: r.remaining for r in rows}


async def test_oldest_points_are_used_first(engine, gql) -> None:
    cid = await create_customer(engine)
    oldest = await earn_points(engine, customer_id=cid, points=100, at=NOW - dt.timedelta(days=300))
    middle = await earn_points(engine, customer_id=cid, points=50, at=NOW - dt.timedelta(days=200))
    newest = await earn_points(engine, customer_id=cid, points=80, at=NOW - dt.timedelta(days=10))
    payload = await redeem(gql, cid, 120)
    assert payload["errors"] == []
    assert payload["account"]["pointsBalance"] == 230 - 120
    assert payload["account"]["tier"]["code"] == "MEMBER"
    assert await remaining_by_entry(engine, cid) == {oldest: 0, middle: 30, newest: 80}
    await redeem(gql, cid, 40)
    assert await remaining_by_entry(engine, cid) == {oldest: 0, middle: 0, newest: 70}


async def test_expired_points_cannot_be_redeemed(engine, gql) -> None:
    cid = await create_customer(engine)
    await earn_points(
        engine, customer_id=cid, points=500, at=NOW - dt.timedelta(days=400), expires_at=NOW - dt.timedelta(days=35)
    )
    live = await earn_points(
        engine, customer_id=cid, points=60, at=NOW - dt.timedelta(days=340), expires_at=NOW + dt.timedelta(days=25)
    )
    payload = await redeem(gql, cid, 61)
    assert payload["account"] is None
    assert payload["errors"] == [{"code": "INSUFFICIENT_POINTS", "field": ["points"]}]
    ok = await redeem(gql, cid, 60)
    assert ok["errors"] == [] and (await remaining_by_entry(engine, cid))[live] == 0


async def test_never_below_zero(engine, gql) -> None:
    cid = await create_customer(engine)
    await earn_points(engine, customer_id=cid, points=30, at=NOW - dt.timedelta(days=1))
    assert (await redeem(gql, cid, 31))["errors"][0]["code"] == "INSUFFICIENT_POINTS"
    assert (await redeem(gql, cid, 30))["account"]["pointsBalance"] == 0
    assert (await redeem(gql, cid, 1))["errors"][0]["code"] == "INSUFFICIENT_POINTS"
    nobody = await create_customer(engine)
    assert (await redeem(gql, nobody, 1))["errors"][0]["code"] == "INSUFFICIENT_POINTS"


async def test_concurrent_redemptions_cannot_overdraw(engine, gql) -> None:
    cid = await create_customer(engine)
    await earn_points(engine, customer_id=cid, points=100, at=NOW - dt.timedelta(days=1))
    results = await asyncio.gather(*(redeem(gql, cid, 60) for _ in range(4)))
    assert sorted(bool(r["errors"]) for r in results) == [False, True, True, True]
    assert sum((await remaining_by_entry(engine, cid)).values()) == 40


@pytest.mark.parametrize("points", [0, -5])
async def test_points_must_be_positive(engine, gql, points) -> None:
    cid = await create_customer(engine)
    assert (await redeem(gql, cid, points))["errors"] == [{"code": "INVALID_INPUT", "field": ["points"]}]


async def test_roles_and_unknown_customer(engine, gql) -> None:
    cid = await create_customer(engine)
    assert (await redeem(gql, cid, 1, role=Role.MARKETER))["errors"][0]["code"] == "FORBIDDEN"
    assert (await redeem(gql, 999999, 1))["errors"][0]["code"] == "NOT_FOUND"


async def test_tiers_lowest_first(gql) -> None:
    data = await gql("{ tiers { code name minSpend12m pointsMultiplier } }", role=Role.ANALYST)
    assert [(t["code"], t["minSpend12m"], t["pointsMultiplier"]) for t in data["tiers"]] == [
        ("MEMBER", "0.00", 1.0),
        ("SILVER", "2000.00", 1.2),
        ("GOLD", "8000.00", 1.5),
        ("PLATINUM", "20000.00", 2.0),
    ]
