"""The purchase-day rollup behind `insights` (domain/insights/purchase_days.py) gives exactly the
activity counts of the orders, whatever wrote them: orders recorded one by one and in bulk,
RETURNED orders, several orders on one UTC day, customers merged after ordering and a profile
split back out. The expected counts are derived here in Python from the orders the test made,
following the buyer of each order to the customer it belongs to now."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text

from api.importer import import_file
from domain.base import table_of
from domain.customers.ingest import DEFAULT_RULES
from domain.insights import queries as sql
from domain.insights.models import PurchaseDay, PurchasePairCount
from domain.insights.pair_counts import pair_counts_of_days
from domain.insights.purchase_days import purchase_days
from domain.privacy.roles import Role
from resolvers.common.ids import decode_id
from tests.crm_factories import create_order

DAY0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SPAN = 400  # days with orders, from DAY0
CHANNELS = ("WEB", "STORE", "APP")
QUERY = """query($from: DateTime!, $to: DateTime!, $channel: Channel) {
  insights(from: $from, to: $to, channel: $channel) { activeCustomers repurchaseRate churnRate } }"""
RECORD = (
    """mutation($i: OrderInput!) { recordOrder(input: $i) { created errors { code } order { customer { id } } } }"""
)
BUYER = """query($v: String!) { customerByIdentifier(kind: EXTERNAL_ID, value: $v) {
  id profiles { id channel externalId } } }"""
MERGE = """mutation($t: ID!, $s: ID!) { mergeCustomers(targetId: $t, sourceId: $s) { errors { code } } }"""
UNMERGE = """mutation($p: ID!) { unmergeProfile(profileId: $p) { errors { code } } }"""
Buyer = tuple[str, str]  # (channel, externalId)


@dataclass
class World:
    """The orders made so far and who each buyer belongs to now (a merge joins two groups)."""

    orders: list[tuple[Buyer, dt.datetime, bool]] = field(default_factory=list)  # (buyer, placedAt, counted)
    owner: dict[Buyer, Buyer] = field(default_factory=dict)  # buyer -> the group it is in

    def add(self, buyer: Buyer, at: dt.datetime, counted: bool = True) -> None:
        self.owner.setdefault(buyer, buyer)
        self.orders.append((buyer, at, counted))

    def merge(self, target: Buyer, source: Buyer) -> None:
        old = self.owner[source]
        for buyer, group in self.owner.items():
            if group == old:
                self.owner[buyer] = self.owner[target]

    def split(self, buyer: Buyer) -> None:
        self.owner[buyer] = buyer

    def counts(self, start: dt.datetime, end: dt.datetime, channel: str | None) -> tuple[int, int, int, int]:
        """(active, repeat, previously active, churned), by the definitions of docs/insights.md."""
        previous = start - (end - start)
        now: Counter[Buyer] = Counter()
        before: Counter[Buyer] = Counter()
        for buyer, at, counted in self.orders:
            if counted and channel in (None, buyer[0]):
                if start <= at < end:
                    now[self.owner[buyer]] += 1
                elif previous <= at < start:
                    before[self.owner[buyer]] += 1
        churned = sum(1 for g in before if now[g] == 0)
        return len(now), sum(1 for n in now.values() if n >= 2), len(before), churned


def moment(rng: random.Random) -> dt.datetime:
    """Often right at a day's edges, so the UTC day of every order matters."""
    day = DAY0 + dt.timedelta(days=rng.randrange(SPAN))
    return day + rng.choice(
        [dt.timedelta(0), dt.timedelta(hours=5), dt.timedelta(hours=20), dt.timedelta(days=1, microseconds=-1)]
    )


class Shop:
    def __init__(self, gql, engine, world: World) -> None:
        self.gql, self.engine, self.world, self.n = gql, engine, world, 0

    async def order(self, buyer: Buyer, at: dt.datetime) -> str:
        self.n += 1
        data = await self.gql(RECORD, {"i": self.order_input(buyer, at)})
        assert data["recordOrder"]["errors"] == [] and data["recordOrder"]["created"]
        self.world.add(buyer, at)
        return str(data["recordOrder"]["order"]["customer"]["id"])

    def order_input(self, buyer: Buyer, at: dt.datetime) -> dict[str, object]:
        self.n += 1
        return {
            "channel": buyer[0],
            "externalId": f"rollup-{self.n}",
            "customerExternalId": buyer[1],
            "placedAt": at.isoformat(),
            "lines": [{"sku": "S", "name": "Thing", "quantity": 1, "unitPrice": "10.00"}],
        }

    async def returned(self, buyer: Buyer, at: dt.datetime) -> None:
        customer = await self.customer(buyer)
        await create_order(
            self.engine,
            customer_id=decode_id(customer["id"], "Customer"),
            placed_at=at,
            channel=buyer[0],
            status="RETURNED",
        )
        self.world.add(buyer, at, counted=False)

    async def customer(self, buyer: Buyer) -> dict[str, Any]:
        found = (await self.gql(BUYER, {"v": f"{buyer[0]}:{buyer[1]}"}))["customerByIdentifier"]
        assert found is not None
        return found  # type: ignore[no-any-return]

    async def merge(self, target: Buyer, source: Buyer) -> None:
        t, s = (await self.customer(target))["id"], (await self.customer(source))["id"]
        assert (await self.gql(MERGE, {"t": t, "s": s}))["mergeCustomers"]["errors"] == []
        self.world.merge(target, source)

    async def split(self, buyer: Buyer) -> None:
        profiles = (await self.customer(buyer))["profiles"]
        (profile,) = [p for p in profiles if (p["channel"], p["externalId"]) == buyer]
        assert (await self.gql(UNMERGE, {"p": profile["id"]}))["unmergeProfile"]["errors"] == []
        self.world.split(buyer)


async def build(gql, engine, tmp_path: Path) -> World:
    rng = random.Random(11)
    world = World()
    shop = Shop(gql, engine, world)
    people = [[(CHANNELS[(n + k) % 3], f"p{n}-{k}") for k in range(1 + n % 2)] for n in range(14)]
    for buyers in people:
        for buyer in buyers:
            for _ in range(rng.choice([1, 2, 3, 5])):
                await shop.order(buyer, moment(rng))
    first = people[0][0]
    for hours in (0, 3, 23):  # three orders on one UTC day, and one the next midnight
        await shop.order(first, DAY0 + dt.timedelta(days=100, hours=hours))
    await shop.order(first, DAY0 + dt.timedelta(days=101))
    for buyers in people[::3]:  # returned orders: some on days without another order
        await shop.returned(buyers[0], moment(rng))
    await shop.returned(first, DAY0 + dt.timedelta(days=100, hours=1))
    # A batch import (COPY on PostgreSQL): known buyers and new ones.
    lines = []
    for i in range(90):
        buyer = rng.choice([b for bs in people for b in bs]) if i % 3 else (CHANNELS[i % 3], f"bulk-{i % 7}")
        at = moment(rng)
        lines.append(json.dumps(shop.order_input(buyer, at)))
        world.add(buyer, at)
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = await import_file(engine, "orders", path, DEFAULT_RULES)
    assert report.counts["created"] == 90 and not report.rejected
    # Merges after ordering: two-channel people become one customer, one person absorbs another.
    for buyers in people:
        if len(buyers) == 2:
            await shop.merge(buyers[0], buyers[1])
    await shop.merge(people[2][0], people[4][0])
    await shop.merge(people[2][0], ("WEB", "bulk-3"))
    await shop.split(people[5][1])  # back out, with its orders
    await shop.order(people[4][0], DAY0 + dt.timedelta(days=SPAN - 1))  # now goes to the survivor
    return world


def day_periods() -> list[tuple[dt.datetime, dt.datetime]]:
    spans = [(0, 1), (0, 30), (10, 7), (30, 30), (100, 1), (100, 2), (101, 1), (90, 90), (200, 365), (365, 365)]
    spans += [(-5, 5), (-30, 31), (SPAN - 1, 1), (SPAN, 30), (-400, 365), (0, SPAN), (SPAN // 2, SPAN // 2)]
    return [(DAY0 + dt.timedelta(days=s), DAY0 + dt.timedelta(days=s + n)) for s, n in spans]


async def test_rollup_counts_equal_the_orders(gql, engine, tmp_path) -> None:
    world = await build(gql, engine, tmp_path)
    assert any(world.counts(*p, None)[1] for p in day_periods())  # the data has repeat buyers...
    assert any(world.counts(*p, None)[3] for p in day_periods())  # ...and churned ones
    async with engine.connect() as conn:
        for start, end in day_periods():
            for channel in (None, *CHANNELS, "SOCIAL"):
                period = sql.Period(start=start, end=end, channel=channel)
                assert period.whole_days
                want = world.counts(start, end, channel)
                by_day = (await conn.execute(sql.order_activity_by_day(period))).one()
                exact = (await conn.execute(sql.order_activity_exact(period))).one()
                assert tuple(by_day) == want == tuple(exact), (start, end, channel)
                got = (await gql(QUERY, _variables(start, end, channel), role=Role.ANALYST))["insights"]
                assert got == _answer(want), (start, end, channel)


async def test_periods_that_are_not_whole_utc_days_answer_exactly(gql, engine, tmp_path) -> None:
    world = await build(gql, engine, tmp_path)
    plus8 = dt.timezone(dt.timedelta(hours=8))
    periods = [
        (DAY0 + dt.timedelta(days=100, hours=2), DAY0 + dt.timedelta(days=101)),
        (DAY0 + dt.timedelta(days=30, hours=12), DAY0 + dt.timedelta(days=61, hours=6)),
        (DAY0 + dt.timedelta(days=60), DAY0 + dt.timedelta(days=150, microseconds=1)),
        (dt.datetime(2025, 3, 1, tzinfo=plus8), dt.datetime(2025, 6, 1, tzinfo=plus8)),  # 16:00 UTC
    ]
    differs = 0
    for start, end in periods:
        period = sql.Period(start=start, end=end)
        assert not period.whole_days
        day_start, day_end = (t.astimezone(dt.UTC).replace(hour=0, minute=0, microsecond=0) for t in (start, end))
        differs += world.counts(start, end, None) != world.counts(day_start, day_end, None)
        for channel in (None, *CHANNELS):
            got = (await gql(QUERY, _variables(start, end, channel)))["insights"]
            assert got == _answer(world.counts(start, end, channel)), (start, end, channel)
    assert differs  # rounding the bounds to days would have given other numbers
    # UTC midnights written with an offset are whole days: the rollup answers them.
    start, end = dt.datetime(2025, 3, 1, 8, tzinfo=plus8), dt.datetime(2025, 6, 1, 8, tzinfo=plus8)
    assert sql.Period(start=start, end=end).whole_days
    got = (await gql(QUERY, _variables(start, end, None)))["insights"]
    assert got == _answer(world.counts(start, end, None))


async def test_kept_rollups_equal_the_migration_backfill(gql, engine, tmp_path) -> None:
    await build(gql, engine, tmp_path)
    days, pairs = table_of(PurchaseDay), table_of(PurchasePairCount)
    async with engine.begin() as conn:
        kept_days = await _all(conn, days)
        kept_pairs = [r for r in await _all(conn, pairs) if r[4] or r[5]]  # cells that fell to zero stay
        recomputed_days = sorted(tuple(r) for r in await conn.execute(purchase_days()))
        recomputed_pairs = sorted(tuple(r) for r in await conn.execute(pair_counts_of_days()))
        await conn.execute(delete(pairs))
        await conn.execute(delete(days))
        backfill, pair_backfill = _migration_backfill(conn.dialect.name)
        await conn.execute(text(backfill))
        await conn.execute(text(pair_backfill))
        backfilled_days, backfilled_pairs = await _all(conn, days), await _all(conn, pairs)
    assert len(kept_days) > 100 and len(kept_pairs) > 100
    assert kept_days == recomputed_days == backfilled_days
    assert kept_pairs == recomputed_pairs == backfilled_pairs


async def _all(conn: Any, table: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await conn.execute(select(table).order_by(*table.primary_key.columns))]


def _migration_backfill(dialect: str) -> tuple[str, str]:
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0005_insights_rollup.py"
    spec = importlib.util.spec_from_file_location("rollup_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.BACKFILL.format(day=module.UTC_DAY[dialect])), str(module.PAIR_BACKFILL)


def _variables(start: dt.datetime, end: dt.datetime, channel: str | None) -> dict[str, object]:
    return {"from": start.isoformat(), "to": end.isoformat(), "channel": channel}


def _answer(counts: tuple[int, int, int, int]) -> dict[str, object]:
    active, repeat, previously_active, churned = counts
    return {
        "activeCustomers": active,
        "repurchaseRate": pytest.approx(repeat / active if active else 0.0),
        "churnRate": pytest.approx(churned / previously_active if previously_active else 0.0),
    }
