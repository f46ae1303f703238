"""createSegment and live segment evaluation: memberCount and members agree with
customers(filter:) for the same filter, alone and combined."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.demo_data import seed
from domain.base import table_of
from domain.customers.models import Customer
from domain.loyalty.models import LoyaltyAccount
from domain.privacy.roles import Role
from tests.crm_factories import set_scores, set_tier

CREATE = """mutation($input: SegmentInput!) { createSegment(input: $input) {
  segment { id name memberCount } errors { code field } } }"""
FILTERS = [
    {},
    {"channel": "STORE"},
    {"valueTier": "HIGH"},
    {"tierCode": "MEMBER"},
    {"tierCode": "GOLD", "channel": "WEB"},
    {"consentGranted": "MARKETING", "minTotalSpent": "500.00"},
    {"lastOrderAfter": "2026-01-01T00:00:00+00:00", "lastOrderBefore": "2026-10-01T00:00:00+00:00"},
    {"hasOpenTicket": False, "search": "example.com"},
]


async def _dataset(engine) -> None:
    await seed(engine, customers=30, seed=3)
    async with engine.connect() as conn:
        ids = list((await conn.execute(select(table_of(Customer).c.id).order_by("id"))).scalars())
    for cid in ids[::3]:
        await set_scores(engine, customer_id=cid, value_tier="HIGH" if cid % 2 else "LOW")
        await set_tier(engine, customer_id=cid, tier_code="GOLD")


async def _ids_of(gql, query: str, variables: dict[str, object], path: str) -> list[str]:
    ids, after = [], None
    while True:
        data = await gql(query, {**variables, "after": after})
        for key in path.split("."):
            data = data[key]
        ids += [e["node"]["id"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            return ids
        after = data["pageInfo"]["endCursor"]


async def test_members_agree_with_customers_filter(engine, gql) -> None:
    await _dataset(engine)
    for n, filter in enumerate(FILTERS):
        created = await gql(CREATE, {"input": {"name": f"s{n}", "filter": filter}}, role=Role.MARKETER)
        segment = created["createSegment"]["segment"]
        expected = (await gql("query($f: CustomerFilter) { customers(filter: $f) { totalCount } }", {"f": filter}))[
            "customers"
        ]["totalCount"]
        assert segment["memberCount"] == expected, filter
        members = await _ids_of(
            gql,
            "query($id: ID!, $after: String) { node(id: $id) { ... on Segment { members(first: 7, after: $after) "
            "{ edges { node { id } } pageInfo { hasNextPage endCursor } } } } }",
            {"id": segment["id"]},
            "node.members",
        )
        listed = await _ids_of(
            gql,
            "query($f: CustomerFilter, $after: String) { customers(filter: $f, first: 7, after: $after) "
            "{ edges { node { id } } pageInfo { hasNextPage endCursor } } }",
            {"f": filter},
            "customers",
        )
        assert members == listed and len(members) == expected
    names = {f"s{n}" for n in range(len(FILTERS))}  # the demo seed saved segments of its own too
    segments = (await gql("{ segments { name memberCount } }"))["segments"]
    counts = [s["memberCount"] for s in segments if s["name"] in names]
    assert len(counts) == len(FILTERS) and len(set(counts)) > 2  # the filters really narrow


async def test_membership_is_live(engine, gql) -> None:
    await seed(engine, customers=5, seed=1)  # the seeded orders earn tiers: some may be PLATINUM already
    segment = (await gql(CREATE, {"input": {"name": "vip", "filter": {"tierCode": "PLATINUM"}}}))["createSegment"]
    before = segment["segment"]["memberCount"]
    accounts = table_of(LoyaltyAccount)
    async with engine.connect() as conn:
        first = (
            await conn.execute(
                select(table_of(Customer).c.id)
                .outerjoin(accounts, accounts.c.customer_id == table_of(Customer).c.id)
                .where(accounts.c.tier_code.is_distinct_from("PLATINUM"))
                .order_by(table_of(Customer).c.id)
                .limit(1)
            )
        ).scalar_one()
    await set_tier(engine, customer_id=first, tier_code="PLATINUM")
    segments = (await gql("{ segments { name memberCount } }"))["segments"]
    assert {"name": "vip", "memberCount": before + 1} in segments


async def test_duplicate_name_is_conflict(gql) -> None:
    first = await gql(CREATE, {"input": {"name": "Lapsed", "filter": {"channel": "APP"}}})
    assert first["createSegment"]["errors"] == []
    again = await gql(CREATE, {"input": {"name": " Lapsed ", "filter": {}}})
    assert again["createSegment"] == {"segment": None, "errors": [{"code": "CONFLICT", "field": ["input", "name"]}]}
    blank = await gql(CREATE, {"input": {"name": "  ", "filter": {}}})
    assert blank["createSegment"]["errors"][0]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.ANALYST, True), (Role.SUPPORT_AGENT, False), (Role.PARTNER, False)]
)
async def test_who_may_create_segments(gql, role, allowed) -> None:
    payload = (await gql(CREATE, {"input": {"name": "x", "filter": {}}}, role=role))["createSegment"]
    assert (payload["errors"] == []) is allowed
    if not allowed:
        assert payload["errors"][0]["code"] == "FORBIDDEN"
