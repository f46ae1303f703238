"""One order-write path: the same orders through `recordOrder` (GraphQL, one by one) and through
`c360 import orders` (the batch path, in a subprocess) give equal points ledgers, tiers, order
statistics, purchase-day rollups and score refresh requests, on both databases."""

from __future__ import annotations

import datetime as dt
import math
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import select

from domain.customers.models import Identifier
from domain.insights.models import PurchaseDay
from domain.jobs.requests import jobs
from tests.api.test_import import c360, jsonl

T0 = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.UTC)
RECORD = """
mutation($input: OrderInput!) { recordOrder(input: $input) { order { id } errors { code message } } }
"""
READ = """
query($value: String!) {
  customerByIdentifier(kind: EXTERNAL_ID, value: $value) {
    orderStats { orderCount totalSpent averageOrderValue firstOrderAt lastOrderAt }
    loyalty { tier { code } pointsBalance spend12m ledger(first: 100) { at delta reason expiresAt } }
  }
}
"""


def _orders(prefix: str) -> list[dict[str, Any]]:
    """Orders of 6 buyers in a shuffled recording order: amounts that cross SILVER (2,000), GOLD
    (8,000) and PLATINUM (20,000) within a year, orders recorded long after later-placed ones,
    orders more than a year apart (the 365-day window drops the old spend), two on one day, and a
    repeated key (the first recording wins)."""
    rng = random.Random(5)
    plans = {
        "climber": [(0, "1500.00"), (10, "700.00"), (40, "6000.00"), (41, "12000.50"), (300, "99.99")],
        "late": [(200, "2500.00"), (5, "1900.00"), (100, "5000.00"), (1, "800.00")],  # recorded out of order
        "yearly": [(0, "1999.99"), (366, "1999.99"), (400, "0.02"), (730, "2000.00")],
        "sameday": [(50, "1000.00"), (50, "1000.00"), (50, "0.01")],
        "whale": [(3, "25000.00"), (2, "10.00")],
        "small": [(i * 20, "39.90") for i in range(12)],
    }
    items = []
    for buyer, plan in plans.items():
        for n, (day, amount) in enumerate(plan):
            items.append(
                {
                    "channel": "STORE",
                    "externalId": f"{prefix}-{buyer}-{n}",
                    "customerExternalId": f"{prefix}-{buyer}",
                    "placedAt": (T0 + dt.timedelta(days=day, minutes=7 * n)).isoformat().replace("+00:00", "Z"),
                    "lines": [{"sku": "SKU-1", "name": "thing", "quantity": 1, "unitPrice": amount}],
                }
            )
    late = [i for i in items if "-late-" in i["externalId"]]
    rest = [i for i in items if "-late-" not in i["externalId"]]
    rng.shuffle(rest)
    ordered = late + rest  # "late" keeps its plan's order: placed times out of order
    ordered.insert(7, dict(ordered[2]))  # the same key again
    return ordered


LADDER = [("MEMBER", 0, "1.0"), ("SILVER", 2000, "1.2"), ("GOLD", 8000, "1.5"), ("PLATINUM", 20000, "2.0")]


def _expected(items: list[dict[str, Any]]) -> dict[str, tuple[str, list[tuple[str, int]]]]:
    """The contract's loyalty rule walked in recording order, written here from the contract:
    final tier and the earn entries (placedAt, points) per buyer."""
    seen: set[str] = set()
    tier: dict[str, int] = {}
    done: dict[str, list[tuple[dt.datetime, Fraction]]] = {}
    earned: dict[str, list[tuple[str, int]]] = {}
    for item in items:
        if item["externalId"] in seen:
            continue
        seen.add(item["externalId"])
        buyer = item["customerExternalId"]
        at = dt.datetime.fromisoformat(item["placedAt"])
        total = sum(Fraction(line["unitPrice"]) * line["quantity"] for line in item["lines"])
        level = tier.setdefault(buyer, 0)
        points = math.floor(total * Fraction(LADDER[level][2]))
        if points:
            earned.setdefault(buyer, []).append((item["placedAt"], points))
        done.setdefault(buyer, []).append((at, total))
        spend = sum(t for when, t in done[buyer] if at - dt.timedelta(days=365) < when <= at)
        reached = max(i for i, (_, threshold, _) in enumerate(LADDER) if spend >= threshold)
        tier[buyer] = max(level, reached)
    return {b: (LADDER[tier[b]][0], sorted(earned.get(b, []))) for b in tier}


async def _state(engine, gql, prefix: str, buyers: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with engine.connect() as conn:
        requested = [r.params for r in await conn.execute(select(jobs.c.params).where(jobs.c.kind == "refresh_scores"))]
    refreshed = {int(c) for p in requested for c in p.get("customerIds", [])}
    for buyer in buyers:
        customer = (await gql(READ, {"value": f"STORE:{prefix}-{buyer}"}))["customerByIdentifier"]
        async with engine.connect() as conn:
            cid = (
                await conn.execute(select(Identifier.customer_id).where(Identifier.value == f"STORE:{prefix}-{buyer}"))
            ).scalar_one()
            days = [
                tuple(r)[1:]
                for r in await conn.execute(
                    select(PurchaseDay.customer_id, PurchaseDay.scope, PurchaseDay.day, PurchaseDay.orders)
                    .where(PurchaseDay.customer_id == cid)
                    .order_by(PurchaseDay.scope, PurchaseDay.day)
                )
            ]
        out[buyer] = {**customer, "purchaseDays": days, "refreshRequested": cid in refreshed}
    return out


async def test_recording_and_importing_the_same_orders_give_the_same_state(
    engine, gql, database_url, tmp_path: Path
) -> None:
    api_orders = _orders("A")
    for item in api_orders:
        payload = (await gql(RECORD, {"input": item}))["recordOrder"]
        assert payload["errors"] == [], payload
    file_orders: list[object] = list(_orders("B"))
    path = jsonl(tmp_path / "orders.jsonl", file_orders)
    out = await c360(database_url, tmp_path, "import", "orders", str(path), "--batch-size", "4")
    assert "rejected 0" in out
    buyers = ["climber", "late", "yearly", "sameday", "whale", "small"]
    recorded = await _state(engine, gql, "A", buyers)
    imported = await _state(engine, gql, "B", buyers)
    assert imported == recorded
    # And the rule itself, not only agreement: tiers rise as soon as the 365-day spend crosses.
    expected = _expected(api_orders)
    for buyer in buyers:
        loyalty = recorded[buyer]["loyalty"]
        tier, earned = expected[f"A-{buyer}"]
        assert loyalty["tier"]["code"] == tier, buyer
        entries = sorted((e["at"], e["delta"]) for e in loyalty["ledger"] if e["reason"] == "order")
        assert entries == earned, buyer
        assert loyalty["pointsBalance"] == sum(p for _, p in earned)
        assert recorded[buyer]["refreshRequested"], buyer
    assert {t for t, _ in expected.values()} >= {"MEMBER", "SILVER", "GOLD", "PLATINUM"}
