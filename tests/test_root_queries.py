"""Root queries beyond customers: node for every Node type, tiers, segments, job, scoringModel."""

from __future__ import annotations

import pytest

from domain.customers.filters import CustomerFilterSpec
from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests import factories as f

NODE = """query($id: ID!) { node(id: $id) { __typename id
    ... on Customer { displayName }
    ... on ChannelProfile { externalId }
    ... on Order { externalId }
    ... on Ticket { subject }
    ... on Feedback { score }
    ... on Segment { name }
    ... on Job { kind status result }
} }"""


@pytest.fixture
async def objects(engine) -> dict[str, int]:
    async with engine.begin() as conn:
        customer = await f.create_customer(conn, external_id="w-1", display_name="Ann")
        hidden = await f.create_customer(conn, external_id="w-2", display_name="Hid")
        await f.grant(conn, customer_id=customer, purpose="THIRD_PARTY_SHARING")
        order = await f.create_order(conn, customer_external_id="w-1", external_id="o-1", placed_at=f.days_ago(2))
        hidden_order = await f.create_order(
            conn, customer_external_id="w-2", external_id="o-2", placed_at=f.days_ago(2)
        )
        ticket = await f.create_ticket(conn, customer_id=customer, opened_at=f.days_ago(1), subject="Help")
        hidden_ticket = await f.create_ticket(conn, customer_id=hidden, opened_at=f.days_ago(1))
        feedback = await f.create_feedback(conn, customer_id=customer, submitted_at=f.days_ago(1), score=7)
        hidden_feedback = await f.create_feedback(conn, customer_id=hidden, submitted_at=f.days_ago(1))
        segment = await f.create_segment(conn, name="Web", spec=CustomerFilterSpec(channel="WEB"))
        job = await f.create_job(conn, kind="export", requested_by="test-support_agent")
    return {
        "Customer": customer,
        "ChannelProfile": 1,
        "Order": order,
        "Ticket": ticket,
        "Feedback": feedback,
        "Segment": segment,
        "Job": job,
        "hidden_customer": hidden,
        "hidden_profile": 2,
        "hidden_order": hidden_order,
        "hidden_ticket": hidden_ticket,
        "hidden_feedback": hidden_feedback,
    }


@pytest.mark.parametrize(
    ("type_name", "field", "value"),
    [
        ("Customer", "displayName", "Ann"),
        ("ChannelProfile", "externalId", "w-1"),
        ("Order", "externalId", "o-1"),
        ("Ticket", "subject", "Help"),
        ("Feedback", "score", 7),
        ("Segment", "name", "Web"),
        ("Job", "kind", "export"),
    ],
)
async def test_node_resolves_every_type(gql, objects, type_name: str, field: str, value: object) -> None:
    global_id = encode_id(type_name, objects[type_name])
    node = (await gql(NODE, {"id": global_id}))["node"]
    assert node["__typename"] == type_name and node["id"] == global_id and node[field] == value


@pytest.mark.parametrize(
    ("type_name", "key"),
    [
        ("Customer", "hidden_customer"),
        ("ChannelProfile", "hidden_profile"),
        ("Order", "hidden_order"),
        ("Ticket", "hidden_ticket"),
        ("Feedback", "hidden_feedback"),
    ],
)
async def test_partner_nodes_of_non_sharing_customers_are_absent(gql, objects, type_name: str, key: str) -> None:
    assert (await gql(NODE, {"id": encode_id(type_name, objects[key])}, role=Role.PARTNER))["node"] is None
    assert (await gql(NODE, {"id": encode_id(type_name, objects[key])}))["node"] is not None
    visible = encode_id(type_name, objects[type_name])
    assert (await gql(NODE, {"id": visible}, role=Role.PARTNER))["node"]["id"] == visible


async def test_unknown_node_is_null(gql) -> None:
    for global_id in (encode_id("Order", 999), encode_id("Nothing", 1)):
        assert (await gql(NODE, {"id": global_id}))["node"] is None


async def test_jobs_are_seen_by_admin_and_their_requester_only(gql, objects) -> None:
    query = "query($id: ID!) { job(id: $id) { id kind status enqueuedAt startedAt finishedAt error result } }"
    global_id = encode_id("Job", objects["Job"])
    admin = (await gql(query, {"id": global_id}))["job"]
    assert admin["status"] == "FINISHED" and admin["result"] == '{"n": 1}' and admin["error"] is None
    assert (await gql(query, {"id": global_id}, role=Role.SUPPORT_AGENT))["job"]["id"] == global_id
    assert (await gql(query, {"id": global_id}, role=Role.MARKETER))["job"] is None
    assert (await gql(NODE, {"id": global_id}, role=Role.PARTNER))["node"] is None


async def test_tiers_lowest_first(gql) -> None:
    tiers = (await gql("{ tiers { code name minSpend12m pointsMultiplier } }"))["tiers"]
    assert tiers == [
        {"code": "MEMBER", "name": "Member", "minSpend12m": "0.00", "pointsMultiplier": 1.0},
        {"code": "SILVER", "name": "Silver", "minSpend12m": "2000.00", "pointsMultiplier": 1.2},
        {"code": "GOLD", "name": "Gold", "minSpend12m": "8000.00", "pointsMultiplier": 1.5},
        {"code": "PLATINUM", "name": "Platinum", "minSpend12m": "20000.00", "pointsMultiplier": 2.0},
    ]


async def test_segments_by_name(engine, gql) -> None:
    async with engine.begin() as conn:
        b = await f.create_segment(conn, name="B", spec=CustomerFilterSpec(tier_code="GOLD"))
        a = await f.create_segment(conn, name="A", spec=CustomerFilterSpec())
    assert (await gql("{ segments { id name } }"))["segments"] == [
        {"id": encode_id("Segment", a), "name": "A"},
        {"id": encode_id("Segment", b), "name": "B"},
    ]


async def test_scoring_model_is_the_latest_fit(engine, gql) -> None:
    query = """{ scoringModel { asOf fittedAt customers logLikelihood
        bgnbd { r alpha a b } gammaGamma { p q gamma } } }"""
    assert (await gql(query))["scoringModel"] is None
    async with engine.begin() as conn:
        await f.create_scoring_model(conn, fitted_at=f.days_ago(1), r=0.5, gamma_gamma=False)
        await f.create_scoring_model(conn, fitted_at=f.days_ago(10), r=0.1)
    model = (await gql(query))["scoringModel"]
    assert model["bgnbd"] == {"r": 0.5, "alpha": 4.41, "a": 0.79, "b": 2.43}
    assert model["gammaGamma"] is None and model["customers"] == 2357
    assert model["fittedAt"] == f.days_ago(1).isoformat().replace("+00:00", "Z")
