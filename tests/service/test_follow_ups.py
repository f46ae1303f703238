"""Follow-up visits (回访) through GraphQL: scheduled 3 days after resolving a COMPLAINT or a
ticket of a HIGH value or PLATINUM customer, completed once with an outcome, UNSATISFIED reopening
the ticket (recorded), which is queued and resolved again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from domain.privacy.roles import Role
from domain.service.models import TicketEvent
from resolvers.common.ids import encode_id
from tests.crm_factories import create_customer, set_scores, set_tier
from tests.service.desk import COMPLETE, QUEUE, RESOLVE, call, open_ticket, parse

OPENED = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=10)).replace(microsecond=0)
RESOLVED = OPENED + dt.timedelta(hours=2)


async def resolved(gql: Any, customer_id: int, category: str = "SERVICE", **kw: Any) -> dict[str, Any]:
    ticket = (await open_ticket(gql, customer_id, category=category, openedAt=OPENED, **kw))["ticket"]
    answer = (await call(gql, RESOLVE, {"id": ticket["id"], "at": RESOLVED.isoformat()}))["resolveTicket"]
    assert answer["errors"] == []
    return answer["ticket"]  # type: ignore[no-any-return]


async def complete(gql: Any, follow_up_id: str, outcome: str, **kw: Any) -> dict[str, Any]:
    variables = {"id": follow_up_id, "outcome": outcome, "note": kw.pop("note", None)}
    return (await call(gql, COMPLETE, variables, **kw))["completeFollowUp"]  # type: ignore[no-any-return]


async def test_complaints_and_valuable_customers_get_a_follow_up_three_days_later(engine, gql) -> None:
    plain = await create_customer(engine)
    high_value = await create_customer(engine)
    await set_scores(engine, customer_id=high_value, value_tier="HIGH")
    platinum = await create_customer(engine)
    await set_tier(engine, customer_id=platinum, tier_code="PLATINUM")
    medium = await create_customer(engine)
    await set_scores(engine, customer_id=medium, value_tier="MEDIUM")
    await set_tier(engine, customer_id=medium, tier_code="GOLD")

    cases = [
        (plain, "COMPLAINT", True),
        (plain, "SERVICE", False),
        (plain, "PRODUCT", False),
        (high_value, "SUGGESTION", True),
        (platinum, "SERVICE", True),
        (medium, "PRODUCT", False),
    ]
    for customer_id, category, expected in cases:
        ticket = await resolved(gql, customer_id, category, assignee="agent-bob")
        if not expected:
            assert ticket["followUps"] == [], (customer_id, category)
            continue
        [follow_up] = ticket["followUps"]
        assert parse(follow_up["dueAt"]) == parse(ticket["resolvedAt"]) + dt.timedelta(days=3)
        assert (follow_up["doneAt"], follow_up["outcome"], follow_up["assignee"]) == (None, None, "agent-bob")


async def test_satisfied_and_unreachable_outcomes_keep_the_ticket_resolved(engine, gql) -> None:
    cid = await create_customer(engine)
    for outcome in ("SATISFIED", "UNREACHABLE"):
        ticket = await resolved(gql, cid, "COMPLAINT")
        follow_up_id = ticket["followUps"][0]["id"]
        answer = await complete(gql, follow_up_id, outcome, note="called at 10:00", subject="agent-cy")
        assert answer["errors"] == []
        after = answer["ticket"]
        assert (after["status"], after["resolvedAt"]) == ("RESOLVED", ticket["resolvedAt"])
        [done] = after["followUps"]
        assert done["outcome"] == outcome and done["doneAt"] is not None
        again = await complete(gql, follow_up_id, "UNSATISFIED")
        assert [e["code"] for e in again["errors"]] == ["CONFLICT"]
        assert again["ticket"] is None


async def test_an_unsatisfied_customer_reopens_the_ticket(engine, gql) -> None:
    cid = await create_customer(engine)
    ticket = await resolved(gql, cid, "COMPLAINT", team="Complaints")
    queue = {"team": "Complaints", "assignee": None, "first": 10, "after": None}
    assert (await call(gql, QUEUE, queue))["ticketQueue"]["totalCount"] == 0
    answer = await complete(gql, ticket["followUps"][0]["id"], "UNSATISFIED", subject="agent-cy")
    reopened = answer["ticket"]
    assert (reopened["status"], reopened["resolvedAt"]) == ("OPEN", None)
    assert reopened["firstResponseAt"] == ticket["firstResponseAt"]
    assert reopened["followUps"][0]["outcome"] == "UNSATISFIED"
    listed = (await call(gql, QUEUE, queue))["ticketQueue"]
    assert [e["node"]["id"] for e in listed["edges"]] == [ticket["id"]]
    async with engine.connect() as conn:
        kinds = (await conn.execute(select(TicketEvent.kind, TicketEvent.actor).order_by(TicketEvent.id))).all()
    assert [(k.kind, k.actor) for k in kinds][-2:] == [("FOLLOW_UP_DONE", "agent-cy"), ("REOPENED", "agent-cy")]

    # Resolved again: a new follow-up visit is scheduled from the new resolution.
    again = (await call(gql, RESOLVE, {"id": ticket["id"], "at": None}))["resolveTicket"]["ticket"]
    assert again["status"] == "RESOLVED"
    assert [f["outcome"] for f in again["followUps"]] == ["UNSATISFIED", None]
    assert parse(again["followUps"][1]["dueAt"]) == parse(again["resolvedAt"]) + dt.timedelta(days=3)


async def test_follow_up_completion_is_for_ticket_roles_and_checks_its_input(engine, gql) -> None:
    cid = await create_customer(engine)
    ticket = await resolved(gql, cid, "COMPLAINT")
    follow_up_id = ticket["followUps"][0]["id"]
    for role in (Role.MARKETER, Role.ANALYST, Role.PARTNER):
        refused = await complete(gql, follow_up_id, "UNSATISFIED", role=role)
        assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    missing = await complete(gql, encode_id("FollowUp", 10**9), "SATISFIED")
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("NOT_FOUND", ["followUpId"])]
    wrong_kind = await complete(gql, ticket["id"], "SATISFIED")
    assert [e["code"] for e in wrong_kind["errors"]] == ["INVALID_INPUT"]
    bad_note = await complete(gql, follow_up_id, "SATISFIED", note="x\x00")
    assert [(e["code"], e["field"]) for e in bad_note["errors"]] == [("INVALID_INPUT", ["note"])]
    # Nothing was recorded by the refused attempts.
    still = (await complete(gql, follow_up_id, "SATISFIED"))["ticket"]
    assert still["followUps"][0]["outcome"] == "SATISFIED"
