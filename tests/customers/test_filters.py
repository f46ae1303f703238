"""`customers(filter:)`: every CustomerFilter field, combined, over HTTP; the spec's JSON form."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pytest

from domain.customers.filters import CustomerFilterSpec
from domain.errors import InvalidInput
from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests import factories as f

QUERY = "query($f: CustomerFilter) { customers(filter: $f, first: 100) { totalCount edges { node { id } } } }"


def test_spec_round_trips_through_json() -> None:
    spec = CustomerFilterSpec(
        search="ada",
        channel="WEB",
        rfm_segment="LOYAL",
        lifecycle_stage="NEW",
        value_tier="HIGH",
        tier_code="GOLD",
        consent_granted="MARKETING",
        min_churn_risk=0.25,
        last_order_before=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        last_order_after=dt.datetime(2025, 1, 2, tzinfo=dt.UTC),
        min_total_spent=decimal.Decimal("99.90"),
        has_open_ticket=False,
    )
    doc = json.loads(json.dumps(spec.to_dict()))
    assert doc["minTotalSpent"] == "99.90" and doc["hasOpenTicket"] is False
    assert CustomerFilterSpec.from_dict(doc) == spec
    assert CustomerFilterSpec().to_dict() == {}
    with pytest.raises(InvalidInput):
        CustomerFilterSpec.from_dict({"nope": 1})
    with pytest.raises(InvalidInput):
        CustomerFilterSpec.from_dict({"minTotalSpent": "abc"})


@pytest.fixture
async def people(engine) -> dict[str, int]:
    """Four customers that differ on every filtered dimension."""
    async with engine.begin() as conn:
        ada = await f.create_customer(
            conn,
            external_id="w-ada",
            display_name="Ada Lovelace",
            email="ada@example.com",
            phone="13800138000",
            consents=(("MARKETING", True),),
        )
        await f.create_order(conn, customer_external_id="w-ada", external_id="o-1", placed_at=f.days_ago(10))
        await f.create_order(
            conn,
            customer_external_id="w-ada",
            external_id="o-2",
            placed_at=f.days_ago(5),
            lines=(("SKU-2", "Coat", 1, "900.00"),),
        )
        await f.create_scores(conn, customer_id=ada, rfm_segment="CHAMPIONS", value_tier="HIGH", probability_alive=0.9)
        await f.set_tier(conn, customer_id=ada, tier_code="GOLD")
        await f.create_ticket(conn, customer_id=ada, opened_at=f.days_ago(1), status="PENDING")

        bob = await f.create_customer(
            conn, channel="STORE", external_id="s-bob", display_name="Bob", member_card="vip-0001 23"
        )
        await f.create_order(
            conn, channel="STORE", customer_external_id="s-bob", external_id="o-3", placed_at=f.days_ago(300)
        )
        await f.create_scores(
            conn, customer_id=bob, rfm_segment="AT_RISK", lifecycle_stage="DECLINING", probability_alive=0.3
        )
        await f.create_ticket(conn, customer_id=bob, opened_at=f.days_ago(30), status="RESOLVED")

        cy = await f.create_customer(
            conn, channel="APP", external_id="a-cy", display_name="Cyrus Adams", consents=(("MARKETING", False),)
        )
        await f.create_scores(conn, customer_id=cy, r=None, lifecycle_stage="NEW", value_tier="LOW")

        dee = await f.create_customer(conn, channel="WEB", external_id="w-dee", email="dee@example.com")
        await f.set_tier(conn, customer_id=dee, tier_code="MEMBER")
    return {"ada": ada, "bob": bob, "cy": cy, "dee": dee}


async def _names(gql, people: dict[str, int], filter: dict[str, object], role: Role = Role.ADMIN) -> set[str]:
    data = await gql(QUERY, {"f": filter}, role=role)
    by_id = {encode_id("Customer", pk): name for name, pk in people.items()}
    names = {by_id[e["node"]["id"]] for e in data["customers"]["edges"]}
    assert data["customers"]["totalCount"] == len(names)
    return names


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({}, {"ada", "bob", "cy", "dee"}),
        ({"search": "ADA"}, {"ada", "cy"}),  # name substring, case-insensitive
        ({"search": " Ada@Example.COM "}, {"ada"}),  # normalized email
        ({"search": "+86 138-0013-8000"}, {"ada"}),  # normalized phone
        ({"search": "VIP000123"}, {"bob"}),  # normalized member card
        ({"search": "100%"}, set()),  # LIKE wildcards are literal
        ({"channel": "STORE"}, {"bob"}),
        ({"rfmSegment": "CHAMPIONS"}, {"ada"}),
        ({"lifecycleStage": "DECLINING"}, {"bob"}),
        ({"valueTier": "LOW"}, {"cy"}),
        ({"tierCode": "GOLD"}, {"ada"}),
        ({"tierCode": "MEMBER"}, {"bob", "cy", "dee"}),  # no account counts as MEMBER
        ({"consentGranted": "MARKETING"}, {"ada"}),
        ({"minChurnRisk": 0.5}, {"bob"}),
        ({"lastOrderAfter": f.days_ago(30).isoformat()}, {"ada"}),
        ({"lastOrderBefore": f.days_ago(30).isoformat()}, {"bob"}),
        ({"minTotalSpent": "1000.00"}, {"ada"}),
        ({"minTotalSpent": "100.00"}, {"ada", "bob"}),
        ({"hasOpenTicket": True}, {"ada"}),
        ({"hasOpenTicket": False}, {"bob", "cy", "dee"}),
        ({"channel": "WEB", "tierCode": "MEMBER"}, {"dee"}),
        ({"search": "ada", "hasOpenTicket": False}, {"cy"}),
        ({"minTotalSpent": "100", "lastOrderAfter": f.days_ago(30).isoformat(), "valueTier": "HIGH"}, {"ada"}),
    ],
)
async def test_filter_fields(gql, people, filter, expected) -> None:
    assert await _names(gql, people, filter) == expected


async def test_filter_respects_partner_visibility(engine, gql, people) -> None:
    async with engine.begin() as conn:
        await f.grant(conn, customer_id=people["bob"], purpose="THIRD_PARTY_SHARING")
    assert await _names(gql, people, {"hasOpenTicket": False}, role=Role.PARTNER) == {"bob"}
    assert await _names(gql, people, {"search": "ada"}, role=Role.PARTNER) == set()


async def test_filtered_pages_walk(gql, people) -> None:
    seen: list[str] = []
    after = None
    for _ in range(5):
        data = await gql(
            "query($f: CustomerFilter, $after: String) { customers(filter: $f, first: 1, after: $after) "
            "{ edges { node { id } } pageInfo { hasNextPage endCursor } } }",
            {"f": {"tierCode": "MEMBER"}, "after": after},
        )
        seen += [e["node"]["id"] for e in data["customers"]["edges"]]
        if not data["customers"]["pageInfo"]["hasNextPage"]:
            break
        after = data["customers"]["pageInfo"]["endCursor"]
    assert seen == [encode_id("Customer", people[n]) for n in ("bob", "cy", "dee")]
