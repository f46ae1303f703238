"""The conversation on a ticket through GraphQL: messages of every channel and direction, the
first OUTBOUND message as the first response, bodies masked per role and consent, internal
notes hidden from partners, bodies never in logs or errors."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from structlog.testing import capture_logs

from domain.privacy.models import AuditEntry
from domain.privacy.roles import Role
from domain.service.models import TicketMessage
from jobs.background import run_due_jobs
from resolvers.common.ids import encode_id
from tests.crm_factories import create_customer
from tests.privacy.helpers import ingest_person
from tests.service.desk import MESSAGE, TICKET_BY_ID, call, open_ticket, parse

BODY = "Hi, this is Li Lei, reach me at lilei.private@example.com or 13800138000"


async def say(gql, ticket_id: str, body: str, direction: str, channel: str, **kw) -> Any:
    variables = {"id": ticket_id, "body": body, "direction": direction, "channel": channel}
    return (await call(gql, MESSAGE, variables, **kw))["addTicketMessage"]


async def test_messages_of_every_channel_are_kept_in_order(engine, gql) -> None:
    cid = await create_customer(engine)
    ticket = (await open_ticket(gql, cid, subject="agent-ann", channel="CHAT"))["ticket"]
    steps = [
        ("INBOUND", "EMAIL", "my parcel is late"),
        ("INTERNAL_NOTE", "CHAT", "checked the depot"),
        ("OUTBOUND", "SMS", "it leaves today"),
        ("INBOUND", "CHAT", "thanks"),
    ]
    for direction, channel, body in steps:
        answer = await say(gql, ticket["id"], body, direction, channel, subject="agent-ann")
        assert answer["errors"] == []
    messages = answer["ticket"]["messages"]
    assert [(m["direction"], m["channel"], m["body"]) for m in messages] == steps
    assert [m["author"] for m in messages] == ["customer", "agent-ann", "agent-ann", "customer"]
    times = [parse(m["at"]) for m in messages]
    assert times == sorted(times)


async def test_the_first_outbound_message_is_the_first_response(engine, gql) -> None:
    cid = await create_customer(engine)
    ticket = (await open_ticket(gql, cid))["ticket"]
    inbound = await say(gql, ticket["id"], "hello?", "INBOUND", "EMAIL")
    note = await say(gql, ticket["id"], "look at this", "INTERNAL_NOTE", "EMAIL")
    for answer in (inbound, note):
        assert answer["ticket"]["firstResponseAt"] is None and answer["ticket"]["status"] == "OPEN"
    first = (await say(gql, ticket["id"], "we are on it", "OUTBOUND", "EMAIL"))["ticket"]
    assert first["status"] == "PENDING"
    assert parse(first["firstResponseAt"]) == parse(first["messages"][-1]["at"])
    second = (await say(gql, ticket["id"], "and done", "OUTBOUND", "SMS"))["ticket"]
    assert second["firstResponseAt"] == first["firstResponseAt"]


async def test_bad_messages_are_input_errors_that_quote_nothing(engine, gql) -> None:
    cid = await create_customer(engine)
    ticket = (await open_ticket(gql, cid))["ticket"]
    for body in ("   ", BODY + "x" * 20_000, BODY + "\x00"):
        answer = await say(gql, ticket["id"], body, "INBOUND", "EMAIL")
        assert [(e["code"], e["field"]) for e in answer["errors"]] == [("INVALID_INPUT", ["body"])]
        assert "lilei" not in answer["errors"][0]["message"]
    missing = await say(gql, encode_id("Ticket", 10**9), "hello", "INBOUND", "EMAIL")
    assert [e["code"] for e in missing["errors"]] == ["NOT_FOUND"]
    for role in (Role.MARKETER, Role.ANALYST, Role.PARTNER):
        refused = await say(gql, ticket["id"], "hello", "INBOUND", "EMAIL", role=role)
        assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    data = await call(gql, TICKET_BY_ID, {"id": ticket["id"]}, role=Role.ADMIN)
    assert data["node"]["messages"] == []


READ = """query($id: ID!) { customer(id: $id) { tickets { edges { node {
  messages { direction body author } } } } } }"""


async def _bodies(gql, customer_id: int, role: Role) -> list[tuple[str, str]] | None:
    data = await call(gql, READ, {"id": encode_id("Customer", customer_id)}, role=role)
    if data["customer"] is None:
        return None
    [edge] = data["customer"]["tickets"]["edges"]
    return [(m["direction"], m["body"]) for m in edge["node"]["messages"]]


async def _conversation(engine, gql, consents=()) -> int:
    cid = await ingest_person(engine, len(consents) + 1, consents=consents)
    ticket = (await open_ticket(gql, cid))["ticket"]
    await say(gql, ticket["id"], BODY, "INBOUND", "EMAIL")
    await say(gql, ticket["id"], "Call Li Lei back on 13800138000", "INTERNAL_NOTE", "EMAIL")
    await say(gql, ticket["id"], "Dear Li Lei, refunded", "OUTBOUND", "EMAIL")
    return cid


async def test_message_bodies_are_masked_per_role_and_consent(engine, gql) -> None:
    plain = await _conversation(engine, gql)
    clear = [
        ("INBOUND", BODY),
        ("INTERNAL_NOTE", "Call Li Lei back on 13800138000"),
        ("OUTBOUND", "Dear Li Lei, refunded"),
    ]
    masked = [(direction, "****") for direction, _ in clear]
    assert await _bodies(gql, plain, Role.ADMIN) == clear
    assert await _bodies(gql, plain, Role.SUPPORT_AGENT) == clear
    assert await _bodies(gql, plain, Role.ANALYST) == masked
    assert await _bodies(gql, plain, Role.MARKETER) == masked  # no MARKETING consent
    assert await _bodies(gql, plain, Role.PARTNER) is None  # not shared: absent

    shared = await _conversation(engine, gql, consents=(("MARKETING", True), ("THIRD_PARTY_SHARING", True)))
    assert await _bodies(gql, shared, Role.MARKETER) == clear
    assert await _bodies(gql, shared, Role.ANALYST) == masked
    # Partners see what was said to and by the customer, never the staff's internal notes.
    assert await _bodies(gql, shared, Role.PARTNER) == [clear[0], clear[2]]


async def test_clear_reads_of_bodies_are_audited(engine, gql) -> None:
    cid = await _conversation(engine, gql)
    await _bodies(gql, cid, Role.SUPPORT_AGENT)
    async with engine.connect() as conn:
        before = (await conn.execute(select(AuditEntry.fields).where(AuditEntry.customer_id == cid))).scalars().all()
    assert any("TicketMessage.body" in fields for fields in before)
    await _bodies(gql, cid, Role.ANALYST)  # masked: nothing more to audit
    async with engine.connect() as conn:
        after = (await conn.execute(select(AuditEntry.fields).where(AuditEntry.customer_id == cid))).scalars().all()
    assert len(after) == len(before)


async def test_bodies_never_reach_the_logs(engine, gql, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    cid = await create_customer(engine)
    ticket = (await open_ticket(gql, cid))["ticket"]
    with capture_logs() as events:
        await say(gql, ticket["id"], BODY, "INBOUND", "EMAIL")
        await say(gql, ticket["id"], BODY + "\x00", "OUTBOUND", "EMAIL")  # refused
        await say(gql, ticket["id"], BODY, "INBOUND", "EMAIL", role=Role.ANALYST)  # forbidden
        await call(gql, TICKET_BY_ID, {"id": ticket["id"]}, role=Role.ADMIN)
    lines = [repr(event) for event in events] + [record.getMessage() for record in caplog.records]
    assert lines, "the requests were logged"
    for line in lines:
        for value in ("lilei.private", "13800138000", "Li Lei"):
            assert value not in line, line


ERASE = """mutation($id: ID!) { requestErasure(customerId: $id) { job { id } errors { code } } }"""


async def test_erasure_empties_the_conversation_and_keeps_its_shape(engine, gql) -> None:
    cid = await _conversation(engine, gql)
    assert (await gql(ERASE, {"id": encode_id("Customer", cid)}))["requestErasure"]["errors"] == []
    await run_due_jobs(engine)
    assert await _bodies(gql, cid, Role.ADMIN) == [("INBOUND", ""), ("INTERNAL_NOTE", ""), ("OUTBOUND", "")]
    async with engine.connect() as conn:
        rows = (await conn.execute(select(TicketMessage.body).where(TicketMessage.customer_id == cid))).scalars()
        assert all(body == "" for body in rows)


MERGE = (
    """mutation($t: ID!, $s: ID!) { mergeCustomers(targetId: $t, sourceId: $s) { customer { id } errors { code } } }"""
)


async def test_the_conversation_follows_a_merge(engine, gql) -> None:
    source = await _conversation(engine, gql)
    target = await create_customer(engine)
    merged = await gql(MERGE, {"t": encode_id("Customer", target), "s": encode_id("Customer", source)})
    assert merged["mergeCustomers"]["errors"] == []
    assert [d for d, _ in await _bodies(gql, target, Role.SUPPORT_AGENT) or []] == [
        "INBOUND",
        "INTERNAL_NOTE",
        "OUTBOUND",
    ]
    async with engine.connect() as conn:
        owners = set((await conn.execute(select(TicketMessage.customer_id))).scalars())
    assert owners == {target}
