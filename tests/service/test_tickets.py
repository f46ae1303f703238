"""openTicket / respondToTicket / resolveTicket through GraphQL: SLA due times, escalation,
forward-only status, breached with explicit timestamps, roles."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.crm_factories import create_customer, set_scores, set_tier

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
FIELDS = "id priority status openedAt firstResponseAt resolvedAt firstResponseDueAt resolutionDueAt breached"
OPEN = f"""mutation($input: TicketInput!) {{ openTicket(input: $input) {{
  ticket {{ {FIELDS} }} errors {{ code message field }} }} }}"""
RESPOND = f"""mutation($id: ID!, $at: DateTime) {{ respondToTicket(ticketId: $id, at: $at) {{
  ticket {{ {FIELDS} }} errors {{ code message field }} }} }}"""
RESOLVE = f"""mutation($id: ID!, $at: DateTime) {{ resolveTicket(ticketId: $id, at: $at) {{
  ticket {{ {FIELDS} }} errors {{ code message field }} }} }}"""


def iso(t: dt.datetime) -> str:
    return t.isoformat()


def at(minutes: float) -> str:
    return iso(T0 + dt.timedelta(minutes=minutes))


def parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


async def open_ticket(
    gql, customer_id: int, *, priority: str = "NORMAL", category: str = "SERVICE", opened=T0, role=Role.ADMIN
):
    data = await gql(
        OPEN,
        {
            "input": {
                "customerId": encode_id("Customer", customer_id),
                "category": category,
                "priority": priority,
                "channel": "CALL_CENTER",
                "subject": "Parcel never arrived",
                "openedAt": iso(opened) if opened else None,
            }
        },
        role=role,
    )
    return data["openTicket"]


@pytest.mark.parametrize(
    ("priority", "response", "resolution"),
    [("URGENT", 15, 120), ("HIGH", 15, 1440), ("NORMAL", 120, 2880), ("LOW", 1440, 4320)],
)
async def test_due_times_follow_the_default_policy(engine, gql, priority, response, resolution) -> None:
    cid = await create_customer(engine)
    ticket = (await open_ticket(gql, cid, priority=priority))["ticket"]
    assert ticket["priority"] == priority and ticket["status"] == "OPEN"
    assert parse(ticket["openedAt"]) == T0
    assert parse(ticket["firstResponseDueAt"]) == T0 + dt.timedelta(minutes=response)
    assert parse(ticket["resolutionDueAt"]) == T0 + dt.timedelta(minutes=resolution)


async def test_a_complaint_is_resolved_within_72_hours(engine, gql) -> None:
    cid = await create_customer(engine)
    ticket = (await open_ticket(gql, cid, priority="LOW", category="COMPLAINT"))["ticket"]
    assert parse(ticket["resolutionDueAt"]) == T0 + dt.timedelta(hours=72)
    urgent = (await open_ticket(gql, cid, priority="URGENT", category="COMPLAINT"))["ticket"]
    assert parse(urgent["resolutionDueAt"]) == T0 + dt.timedelta(hours=2)


async def test_high_value_customers_are_escalated_one_level(engine, gql) -> None:
    high_value = await create_customer(engine)
    await set_scores(engine, customer_id=high_value, value_tier="HIGH")
    platinum = await create_customer(engine)
    await set_tier(engine, customer_id=platinum, tier_code="PLATINUM")
    gold_medium = await create_customer(engine)
    await set_scores(engine, customer_id=gold_medium, value_tier="MEDIUM")
    await set_tier(engine, customer_id=gold_medium, tier_code="GOLD")

    escalated = (await open_ticket(gql, high_value, priority="NORMAL"))["ticket"]
    assert escalated["priority"] == "HIGH"
    assert parse(escalated["firstResponseDueAt"]) == T0 + dt.timedelta(minutes=15)
    assert (await open_ticket(gql, platinum, priority="LOW"))["ticket"]["priority"] == "NORMAL"
    assert (await open_ticket(gql, platinum, priority="URGENT"))["ticket"]["priority"] == "URGENT"
    assert (await open_ticket(gql, gold_medium, priority="NORMAL"))["ticket"]["priority"] == "NORMAL"


async def test_respond_then_resolve_moves_forward(engine, gql) -> None:
    cid = await create_customer(engine)
    tid = (await open_ticket(gql, cid))["ticket"]["id"]
    responded = (await gql(RESPOND, {"id": tid, "at": at(30)}))["respondToTicket"]
    assert responded["errors"] == []
    assert responded["ticket"]["status"] == "PENDING" and parse(
        responded["ticket"]["firstResponseAt"]
    ) == T0 + dt.timedelta(minutes=30)
    resolved = (await gql(RESOLVE, {"id": tid, "at": at(600)}))["resolveTicket"]["ticket"]
    assert resolved["status"] == "RESOLVED" and parse(resolved["resolvedAt"]) == T0 + dt.timedelta(minutes=600)
    assert resolved["breached"] is False


async def test_resolving_an_unanswered_ticket_answers_it(engine, gql) -> None:
    cid = await create_customer(engine)
    tid = (await open_ticket(gql, cid))["ticket"]["id"]
    resolved = (await gql(RESOLVE, {"id": tid, "at": at(60)}))["resolveTicket"]["ticket"]
    assert resolved["status"] == "RESOLVED"
    assert resolved["firstResponseAt"] == resolved["resolvedAt"]
    assert resolved["breached"] is False


@pytest.mark.parametrize(
    "moves", [["respond", "respond"], ["resolve", "respond"], ["resolve", "resolve"], ["respond", "resolve", "respond"]]
)
async def test_backward_or_repeated_moves_are_conflict(engine, gql, moves) -> None:
    cid = await create_customer(engine)
    tid = (await open_ticket(gql, cid))["ticket"]["id"]
    queries = {"respond": (RESPOND, "respondToTicket"), "resolve": (RESOLVE, "resolveTicket")}
    for i, move in enumerate(moves):
        query, name = queries[move]
        payload = (await gql(query, {"id": tid, "at": at(10 + i)}))[name]
        last = i == len(moves) - 1
        assert [e["code"] for e in payload["errors"]] == (["CONFLICT"] if last else [])
        assert (payload["ticket"] is None) is last


async def test_times_before_the_opening_or_in_the_future_are_invalid(engine, gql) -> None:
    cid = await create_customer(engine)
    tid = (await open_ticket(gql, cid))["ticket"]["id"]
    early = (await gql(RESPOND, {"id": tid, "at": at(-1)}))["respondToTicket"]
    assert early["errors"][0]["code"] == "INVALID_INPUT"
    future = iso(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    late = (await gql(RESOLVE, {"id": tid, "at": future}))["resolveTicket"]
    assert late["errors"][0]["code"] == "INVALID_INPUT"
    opened_later = await open_ticket(gql, cid, opened=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert opened_later["errors"][0]["code"] == "INVALID_INPUT"


async def test_breached_with_explicit_timestamps(engine, gql) -> None:
    cid = await create_customer(engine)
    # URGENT: respond within 15 min, resolve within 2 h.
    on_time = (await open_ticket(gql, cid, priority="URGENT"))["ticket"]["id"]
    await gql(RESPOND, {"id": on_time, "at": at(15)})
    assert (await gql(RESOLVE, {"id": on_time, "at": at(120)}))["resolveTicket"]["ticket"]["breached"] is False

    late_response = (await open_ticket(gql, cid, priority="URGENT"))["ticket"]["id"]
    assert (await gql(RESPOND, {"id": late_response, "at": at(16)}))["respondToTicket"]["ticket"]["breached"] is True
    assert (await gql(RESOLVE, {"id": late_response, "at": at(30)}))["resolveTicket"]["ticket"]["breached"] is True

    late_resolution = (await open_ticket(gql, cid, priority="URGENT"))["ticket"]["id"]
    await gql(RESPOND, {"id": late_resolution, "at": at(5)})
    assert (await gql(RESOLVE, {"id": late_resolution, "at": at(121)}))["resolveTicket"]["ticket"]["breached"] is True

    never_answered = await open_ticket(gql, cid, priority="LOW")  # opened in March 2026, long overdue
    assert never_answered["ticket"]["breached"] is True

    fresh = await open_ticket(gql, cid, priority="LOW", opened=None)  # opened now, nothing due yet
    assert fresh["ticket"]["breached"] is False


async def test_unknown_ticket_and_customer_are_not_found(engine, gql) -> None:
    missing = (await gql(RESPOND, {"id": encode_id("Ticket", 424242)}))["respondToTicket"]
    assert missing["errors"][0]["code"] == "NOT_FOUND"
    assert (await open_ticket(gql, 424242))["errors"][0]["code"] == "NOT_FOUND"


async def test_a_merged_away_customer_id_opens_on_the_survivor(engine, gql) -> None:
    first = await create_customer(engine, email="same@example.com")
    second = await create_customer(engine)
    bridge = await create_customer(engine, email="same@example.com")
    assert bridge == first and second != first
    ticket = (await open_ticket(gql, first))["ticket"]
    assert ticket is not None


@pytest.mark.parametrize("role", [Role.MARKETER, Role.ANALYST, Role.PARTNER])
async def test_only_admin_and_support_agents_handle_tickets(engine, gql, role) -> None:
    cid = await create_customer(engine)
    denied = await open_ticket(gql, cid, role=role)
    assert denied["ticket"] is None and denied["errors"][0]["code"] == "FORBIDDEN"
    agent = await open_ticket(gql, cid, role=Role.SUPPORT_AGENT)
    assert agent["errors"] == []
    refused = (await gql(RESPOND, {"id": agent["ticket"]["id"]}, role=role))["respondToTicket"]
    assert refused["errors"][0]["code"] == "FORBIDDEN"


async def test_customer_tickets_filtered_by_breached(engine, gql) -> None:
    cid = await create_customer(engine)
    overdue = (await open_ticket(gql, cid, priority="LOW"))["ticket"]["id"]  # opened in March 2026
    on_time = (await open_ticket(gql, cid, priority="URGENT"))["ticket"]["id"]
    await gql(RESPOND, {"id": on_time, "at": at(10)})
    await gql(RESOLVE, {"id": on_time, "at": at(60)})
    fresh = (await open_ticket(gql, cid, opened=None))["ticket"]["id"]
    query = """query($id: ID!, $b: Boolean) { customer(id: $id) {
      tickets(breached: $b) { totalCount edges { node { id breached } } } } }"""

    async def ids(breached: bool | None) -> set[str]:
        data = await gql(query, {"id": encode_id("Customer", cid), "b": breached})
        tickets = data["customer"]["tickets"]
        assert tickets["totalCount"] == len(tickets["edges"])
        assert all(breached is None or e["node"]["breached"] is breached for e in tickets["edges"])
        return {e["node"]["id"] for e in tickets["edges"]}

    assert await ids(True) == {overdue}
    assert await ids(False) == {on_time, fresh}
    assert await ids(None) == {overdue, on_time, fresh}
