"""submitFeedback through GraphQL: score ranges, links to the customer's own order or ticket."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.crm_factories import create_customer, create_order

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SUBMIT = """mutation($input: FeedbackInput!) { submitFeedback(input: $input) {
  feedback { id kind score comment channel submittedAt } errors { code field } } }"""
OPEN = """mutation($input: TicketInput!) { openTicket(input: $input) { ticket { id } } }"""


def feedback_input(customer_id: int, kind: str, score: int, **extra: object) -> dict[str, object]:
    return {"customerId": encode_id("Customer", customer_id), "kind": kind, "score": score, "channel": "APP", **extra}


async def submit(gql, role: Role = Role.ADMIN, **kw):
    return (await gql(SUBMIT, {"input": feedback_input(**kw)}, role=role))["submitFeedback"]


async def open_ticket(gql, customer_id: int) -> str:
    data = await gql(
        OPEN,
        {
            "input": {
                "customerId": encode_id("Customer", customer_id),
                "category": "PRODUCT",
                "channel": "APP",
                "subject": "Zip broke",
            }
        },
    )
    return data["openTicket"]["ticket"]["id"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("kind", "valid", "invalid"),
    [("CSAT", [1, 10], [0, 11]), ("NPS", [0, 10], [-1, 11]), ("REVIEW", [1, 5], [0, 6])],
)
async def test_score_ranges(engine, gql, kind, valid, invalid) -> None:
    cid = await create_customer(engine)
    for score in valid:
        payload = await submit(gql, customer_id=cid, kind=kind, score=score)
        assert payload["errors"] == [] and payload["feedback"]["score"] == score
    for score in invalid:
        payload = await submit(gql, customer_id=cid, kind=kind, score=score)
        assert payload["feedback"] is None
        assert payload["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "score"]}]


async def test_submitted_at_defaults_to_now_and_may_be_given(engine, gql) -> None:
    cid = await create_customer(engine)
    before = dt.datetime.now(dt.UTC)
    now = (await submit(gql, customer_id=cid, kind="NPS", score=9))["feedback"]
    assert before <= dt.datetime.fromisoformat(now["submittedAt"]) <= dt.datetime.now(dt.UTC)
    given = await submit(gql, customer_id=cid, kind="NPS", score=9, submittedAt=T0.isoformat(), comment=" Great ")
    assert dt.datetime.fromisoformat(given["feedback"]["submittedAt"]) == T0
    assert given["feedback"]["comment"] == "Great"


async def test_links_to_own_order_and_ticket(engine, gql) -> None:
    cid = await create_customer(engine)
    order = await create_order(engine, customer_id=cid, placed_at=T0)
    ticket = await open_ticket(gql, cid)
    payload = await submit(
        gql, customer_id=cid, kind="CSAT", score=8, orderId=encode_id("Order", order), ticketId=ticket
    )
    assert payload["errors"] == []


async def test_foreign_order_or_ticket_is_invalid_input(engine, gql) -> None:
    mine, theirs = await create_customer(engine), await create_customer(engine)
    their_order = encode_id("Order", await create_order(engine, customer_id=theirs, placed_at=T0))
    their_ticket = await open_ticket(gql, theirs)
    by_order = await submit(gql, customer_id=mine, kind="CSAT", score=8, orderId=their_order)
    assert by_order["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "orderId"]}]
    by_ticket = await submit(gql, customer_id=mine, kind="CSAT", score=8, ticketId=their_ticket)
    assert by_ticket["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "ticketId"]}]
    missing = await submit(gql, customer_id=mine, kind="CSAT", score=8, orderId=encode_id("Order", 987654))
    assert missing["errors"][0]["code"] == "INVALID_INPUT"


async def test_links_of_a_merged_customer_follow_to_the_survivor(engine, gql) -> None:
    survivor = await create_customer(engine, email="one@example.com")
    other = await create_customer(engine, channel="APP")
    order = await create_order(engine, customer_id=other, placed_at=T0)
    ticket = await open_ticket(gql, other)
    # A profile carrying both identities merges `other` into the older `survivor`.
    from sqlalchemy import select

    from domain.base import table_of
    from domain.customers.ingest import ProfileData, ingest_profile
    from domain.customers.models import ChannelProfile

    async with engine.begin() as conn:
        key = (
            await conn.execute(
                select(table_of(ChannelProfile).c.external_id).where(table_of(ChannelProfile).c.customer_id == other)
            )
        ).scalar_one()
        await ingest_profile(conn, ProfileData(channel="APP", external_id=key, email="one@example.com"))
    payload = await submit(
        gql, customer_id=other, kind="CSAT", score=9, orderId=encode_id("Order", order), ticketId=ticket
    )
    assert payload["errors"] == []
    assert survivor != other


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.SUPPORT_AGENT, True), (Role.MARKETER, False), (Role.ANALYST, False)]
)
async def test_roles(engine, gql, role, allowed) -> None:
    cid = await create_customer(engine)
    payload = await submit(gql, role=role, customer_id=cid, kind="NPS", score=7)
    assert (payload["errors"] == []) is allowed
    if not allowed:
        assert payload["errors"][0]["code"] == "FORBIDDEN"
