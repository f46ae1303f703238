"""Every edge of the customer 360 answered from real rows over HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import delete

from domain.base import table_of
from domain.customers.filters import CustomerFilterSpec
from domain.loyalty.models import PointsEntry
from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests import factories as f
from tests.customers.graph_queries import CUSTOMER_360


@dataclass
class Rich:
    customer: int
    merged_away: int
    other: int
    orders: list[int]
    tickets: list[int]
    feedback: list[int]
    segments: dict[str, int]


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
async def rich(engine) -> Rich:
    async with engine.begin() as conn:
        ann = await f.create_customer(conn, external_id="w-ann", display_name="Ann", email="ann@example.com")
        other = await f.create_customer(conn, channel="WEB", external_id="w-bob", email="bob@example.com")
        app = await f.create_customer(
            conn, channel="APP", external_id="a-ann", phone="13912345670", seen_at=f.days_ago(350)
        )
        # A store profile carrying both identifiers merges the APP customer into the older one.
        assert (
            await f.create_customer(
                conn,
                channel="STORE",
                external_id="s-ann",
                email="ANN@example.com",
                phone="+86 139 1234 5670",
                member_card="vip-9",
                seen_at=f.days_ago(300),
            )
            == ann
        )
        orders = [
            await f.create_order(
                conn,
                customer_external_id="w-ann",
                external_id="o-1",
                placed_at=f.days_ago(400),
                lines=(("SKU-A", "Tee", 2, "50.00"),),
            ),
            await f.create_order(
                conn,
                channel="STORE",
                customer_external_id="s-ann",
                external_id="o-2",
                placed_at=f.days_ago(100),
                store_code="SH-001",
                lines=(("SKU-B", "Coat", 1, "300.00"), ("SKU-C", "Socks", 3, "10.00")),
            ),
            await f.create_order(
                conn,
                customer_external_id="w-ann",
                external_id="o-3",
                placed_at=f.days_ago(20),
                status="RETURNED",
            ),
            await f.create_order(conn, customer_external_id="w-ann", external_id="o-4", placed_at=f.days_ago(5)),
        ]
        await f.set_tier(conn, customer_id=ann, tier_code="GOLD")
        # This test reads a ledger it controls: drop the points the orders above earned.
        await conn.execute(delete(table_of(PointsEntry)).where(table_of(PointsEntry).c.customer_id == ann))
        await f.create_points_entry(
            conn, customer_id=ann, at=f.days_ago(340), delta=100, expires_at=f.days_ago(-20), remaining=70
        )
        await f.create_points_entry(conn, customer_id=ann, at=f.days_ago(5), delta=50, expires_at=f.days_ago(-360))
        await f.create_points_entry(conn, customer_id=ann, at=f.days_ago(2), delta=-30, reason="redeemed")
        tickets = [
            await f.create_ticket(conn, customer_id=ann, opened_at=f.days_ago(30), status="RESOLVED",
                                  first_response_at=f.days_ago(30) + dt.timedelta(minutes=30),
                                  resolved_at=f.days_ago(29)),
            await f.create_ticket(conn, customer_id=ann, opened_at=f.days_ago(3), category="COMPLAINT",
                                  priority="HIGH", subject="Broken zip"),
        ]  # fmt: skip
        feedback = [
            await f.create_feedback(conn, customer_id=ann, submitted_at=f.days_ago(90), order_id=orders[1], score=8),
            await f.create_feedback(
                conn, customer_id=ann, submitted_at=f.days_ago(28), kind="NPS", score=10, ticket_id=tickets[0]
            ),
        ]
        await f.create_scores(conn, customer_id=ann, rfm_segment="CHAMPIONS", value_tier="HIGH")
        await f.grant(conn, customer_id=ann, purpose="MARKETING")
        await f.grant(conn, customer_id=ann, purpose="THIRD_PARTY_SHARING")
        await f.grant(conn, customer_id=ann, purpose="MARKETING", granted=False, at=f.NOW + dt.timedelta(minutes=1))
        segments = {
            "gold": await f.create_segment(conn, name="Gold", spec=CustomerFilterSpec(tier_code="GOLD")),
            "store": await f.create_segment(conn, name="Store shoppers", spec=CustomerFilterSpec(channel="STORE")),
            "none": await f.create_segment(conn, name="Call centre", spec=CustomerFilterSpec(channel="CALL_CENTER")),
        }
        await f.create_order(conn, customer_external_id="w-bob", external_id="o-b1", placed_at=f.days_ago(1))
        await f.create_ticket(conn, customer_id=other, opened_at=f.days_ago(1))
    return Rich(ann, app, other, orders, tickets, feedback, segments)


async def test_customer_360(gql, rich: Rich) -> None:
    c = (await gql(CUSTOMER_360, {"id": encode_id("Customer", rich.customer)}))["customer"]
    assert c["id"] == encode_id("Customer", rich.customer)
    assert c["channels"] == ["WEB", "APP", "STORE"]

    orders = c["orders"]
    assert orders["totalCount"] == 4
    assert [e["node"]["id"] for e in orders["edges"]] == [encode_id("Order", o) for o in reversed(rich.orders)]
    assert orders["pageInfo"]["hasNextPage"] is False and orders["pageInfo"]["hasPreviousPage"] is False
    coat = orders["edges"][2]["node"]
    assert coat["storeCode"] == "SH-001" and coat["total"] == "330.00" and coat["currency"] == "CNY"
    assert coat["lines"] == [
        {"sku": "SKU-B", "name": "Coat", "quantity": 1, "unitPrice": "300.00"},
        {"sku": "SKU-C", "name": "Socks", "quantity": 3, "unitPrice": "10.00"},
    ]
    assert orders["edges"][1]["node"]["status"] == "RETURNED"

    assert c["orderStats"] == {
        "orderCount": 3,  # the returned order does not count
        "totalSpent": "530.00",
        "averageOrderValue": "176.67",
        "firstOrderAt": iso(f.days_ago(400)),
        "lastOrderAt": iso(f.days_ago(5)),
    }

    loyalty = c["loyalty"]
    assert loyalty["tier"] == {"code": "GOLD", "name": "Gold", "minSpend12m": "8000.00", "pointsMultiplier": 1.5}
    assert loyalty["pointsBalance"] == 120
    assert loyalty["pointsExpiringWithin30Days"] == 70
    assert loyalty["spend12m"] == "430.00"  # o-1 is older than 365 days, o-3 was returned
    assert [e["delta"] for e in loyalty["ledger"]] == [-30, 50, 100]

    tickets = c["tickets"]
    assert tickets["totalCount"] == 2
    assert [e["node"]["id"] for e in tickets["edges"]] == [encode_id("Ticket", t) for t in reversed(rich.tickets)]
    late, done = (e["node"] for e in tickets["edges"])
    assert late["breached"] is True and late["category"] == "COMPLAINT" and late["priority"] == "HIGH"
    assert done["breached"] is False and done["status"] == "RESOLVED" and done["resolvedAt"] == iso(f.days_ago(29))

    feedback = c["feedback"]
    assert feedback["totalCount"] == 2
    nps, csat = (e["node"] for e in feedback["edges"])
    assert (
        nps["kind"] == "NPS" and nps["ticket"] == {"id": encode_id("Ticket", rich.tickets[0])} and nps["order"] is None
    )
    assert csat["order"] == {"id": encode_id("Order", rich.orders[1])} and csat["ticket"] is None

    scores = c["scores"]
    assert scores["rfm"]["segment"] == "CHAMPIONS" and scores["rfm"]["monetary"] == "300.00"
    assert scores["clv"] == {"historic": "100.00", "predicted12m": "50.00", "expectedPurchases12m": 1.5}
    assert scores["valueTier"] == "HIGH" and scores["churnRisk"] == pytest.approx(0.2)

    assert [(x["purpose"], x["status"]) for x in c["consents"]] == [
        ("MARKETING", "WITHDRAWN"),
        ("THIRD_PARTY_SHARING", "GRANTED"),
    ]
    assert [(x["purpose"], x["status"]) for x in c["consentHistory"]] == [
        ("MARKETING", "GRANTED"),
        ("THIRD_PARTY_SHARING", "GRANTED"),
        ("MARKETING", "WITHDRAWN"),
    ]
    assert [s["name"] for s in c["segments"]] == ["Gold", "Store shoppers"]
    assert [m["kind"] for m in c["mergeHistory"]] == ["MERGE"]


async def test_customer_without_anything(engine, gql) -> None:
    async with engine.begin() as conn:
        cid = await f.create_customer(conn, external_id="w-new")
    c = (await gql(CUSTOMER_360, {"id": encode_id("Customer", cid)}))["customer"]
    assert c["orders"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        "edges": [],
    }
    assert c["orderStats"]["averageOrderValue"] == "0.00" and c["orderStats"]["lastOrderAt"] is None
    assert c["loyalty"]["tier"]["code"] == "MEMBER" and c["loyalty"]["pointsBalance"] == 0
    assert c["loyalty"]["spend12m"] == "0.00" and c["loyalty"]["ledger"] == []
    assert c["scores"] is None and c["consents"] == [] and c["segments"] == []


async def test_rfm_is_null_for_a_scored_customer_without_orders(engine, gql) -> None:
    async with engine.begin() as conn:
        cid = await f.create_customer(conn, external_id="w-new")
        await f.create_scores(conn, customer_id=cid, r=None, historic_cents=0, predicted_12m_cents=0)
    scores = (await gql(CUSTOMER_360, {"id": encode_id("Customer", cid)}))["customer"]["scores"]
    assert scores["rfm"] is None and scores["clv"]["historic"] == "0.00"


async def test_edge_filters(gql, rich: Rich) -> None:
    query = """query($id: ID!, $since: DateTime, $until: DateTime) { customer(id: $id) {
        web: orders(channel: WEB) { totalCount edges { node { externalId } } }
        window: orders(since: $since, until: $until) { totalCount edges { node { externalId } } }
        both: orders(channel: WEB, since: $since) { totalCount edges { node { externalId } } }
        open: tickets(status: OPEN) { totalCount edges { node { subject } } }
        nps: feedback(kind: NPS) { totalCount edges { node { score } } }
    } }"""
    c = (
        await gql(
            query,
            {"id": encode_id("Customer", rich.customer), "since": iso(f.days_ago(100)), "until": iso(f.days_ago(5))},
        )
    )["customer"]
    assert [e["node"]["externalId"] for e in c["web"]["edges"]] == ["o-4", "o-3", "o-1"] and c["web"]["totalCount"] == 3
    assert [e["node"]["externalId"] for e in c["window"]["edges"]] == ["o-3", "o-2"]  # since inclusive, until not
    assert c["window"]["totalCount"] == 2
    assert [e["node"]["externalId"] for e in c["both"]["edges"]] == ["o-4", "o-3"] and c["both"]["totalCount"] == 2
    assert [e["node"]["subject"] for e in c["open"]["edges"]] == ["Broken zip"] and c["open"]["totalCount"] == 1
    assert [e["node"]["score"] for e in c["nps"]["edges"]] == [10] and c["nps"]["totalCount"] == 1


async def test_order_and_ticket_lead_back_to_their_customer(gql, rich: Rich) -> None:
    query = """query($o: ID!, $t: ID!) {
        o: node(id: $o) { ... on Order { externalId customer { id } } }
        t: node(id: $t) { ... on Ticket { subject customer { id } } }
    }"""
    data = await gql(query, {"o": encode_id("Order", rich.orders[1]), "t": encode_id("Ticket", rich.tickets[1])})
    assert data["o"] == {"externalId": "o-2", "customer": {"id": encode_id("Customer", rich.customer)}}
    assert data["t"] == {"subject": "Broken zip", "customer": {"id": encode_id("Customer", rich.customer)}}


async def test_merged_away_id_answers_the_survivor_360(gql, rich: Rich) -> None:
    c = (await gql(CUSTOMER_360, {"id": encode_id("Customer", rich.merged_away)}))["customer"]
    assert c["id"] == encode_id("Customer", rich.customer) and c["orders"]["totalCount"] == 4


async def test_partner_sees_only_sharing_customers_and_their_things(gql, rich: Rich) -> None:
    query = """query($c: ID!, $o: ID!, $other: ID!, $otherOrder: ID!) {
        mine: customer(id: $c) { orders { totalCount } }
        order: node(id: $o) { id }
        hidden: customer(id: $other) { id }
        hiddenOrder: node(id: $otherOrder) { id }
        customers { totalCount }
    }"""
    variables = {
        "c": encode_id("Customer", rich.customer),
        "o": encode_id("Order", rich.orders[0]),
        "other": encode_id("Customer", rich.other),
        "otherOrder": encode_id("Order", rich.orders[-1] + 1),
    }
    data = await gql(query, variables, role=Role.PARTNER)
    assert data["mine"]["orders"]["totalCount"] == 4 and data["order"] is not None
    assert data["hidden"] is None and data["hiddenOrder"] is None
    assert data["customers"]["totalCount"] == 1
    admin = await gql(query, variables)
    assert admin["hidden"] is not None and admin["hiddenOrder"] is not None


async def test_a_merged_away_id_is_never_given_to_a_new_customer(engine, gql) -> None:
    # SQLite's INTEGER PRIMARY KEY without AUTOINCREMENT would hand out max(id) + 1 again once the
    # newest customer is merged away; domain/customers/new.py allocates ids above the redirects.
    async with engine.begin() as conn:
        first = await f.create_customer(conn, external_id="w-1", email="x@example.com")
        second = await f.create_customer(conn, channel="APP", external_id="a-1", phone="13912345670")
        await f.create_customer(conn, channel="STORE", external_id="s-1", email="x@example.com", phone="13912345670")
        newcomer = await f.create_customer(conn, channel="WEB", external_id="w-2", email="y@example.com")
    assert newcomer != second
    data = await gql("query($id: ID!) { customer(id: $id) { id } }", {"id": encode_id("Customer", second)})
    assert data["customer"]["id"] == encode_id("Customer", first)
