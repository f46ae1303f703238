"""The fast and compiled executors answer exactly as the standard one: the same data, the same errors (message,
path, locations, code), the same extensions and the same audit entries written, for every role
and consent state, over queries generated across the whole schema and the hand-written reads.

Each query runs through the three schemas (`build_schema("standard")`, `"fast"` and `"compiled"`)
on the same database, each with a fresh request context and through every schema extension
(ErrorShaping, AuditWriter, CostLimiter, the limits, the document cache).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import table_of
from domain.callers.caller import Caller
from domain.privacy.models import AuditEntry
from domain.privacy.roles import Role
from domain.settings import Settings
from resolvers.common.ids import decode_id
from resolvers.context import Context
from resolvers.execution.compiled import EXECUTIONS
from resolvers.schema import build_schema
from tests.customers.graph_queries import CUSTOMER_360, CUSTOMER_LIST
from tests.factories import (
    create_feedback,
    create_order,
    create_points_entry,
    create_scores,
    create_ticket,
    days_ago,
    grant,
)
from tests.privacy.test_no_leak_property import PEOPLE, _generate, _seed

SCHEMAS = {executor: build_schema(executor) for executor in ("standard", "fast", "compiled")}

# Next to CUSTOMER_360 and CUSTOMER_LIST: aliases, fragments, directives, __typename, the Node
# interface, nested lookups, and the error paths (bad ids, limits, forbidden, validation, syntax).
QUERIES = [
    """query ($id: ID!, $no: Boolean!) {
      a: customer(id: $id) { ...who email @skip(if: $no) phone @include(if: $no) __typename }
      b: customer(id: $id) { e1: email e2: email identifiers { ... on Identifier { kind value } } }
      node(id: $id) { __typename id ... on Customer { displayName birthDate address { line1 postalCode } } }
    }
    fragment who on Customer { id displayName profiles { id externalId displayName email phone } }""",
    """query ($id: ID!) { customer(id: $id) {
      orders(first: 2) { totalCount edges { cursor node { id lines { sku } customer { id email } } } }
      feedback(first: 3) { edges { node { id order { id total } ticket { id subject } } } }
      tickets(first: 1, breached: false) { edges { node { id status breached } } }
      loyalty { pointsBalance ledger(first: 2) { delta reason } } } }""",
    """query ($id: ID!) { customerByIdentifier(kind: EMAIL, value: "grace.liu@example.org") { id email }
      customer(id: $id) { orders(first: 1, after: "bad") { edges { node { id } } } } }""",
    """{ customers(first: 101) { totalCount } }""",
    """{ customers(first: 100) { edges { node { orders(first: 100) { edges { node { id } } } } } } }""",
    """{ customer(id: "bm9wZTox") { id } node(id: "x") { id } }""",
    """{ viewer { role subject } insights(from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z") {
      customers activeCustomers } }""",
    """{ customers(first: 3, filter: {valueTier: HIGH}) { totalCount edges { node { id email } } } }""",
    """query ($id: ID!) { customer(id: $id) { nope } }""",
    """{ customer(id: """,
    """{ __schema { queryType { name } } __type(name: "Customer") { fields { name } } }""",
]


async def _answer(
    schema: Any, engine: AsyncEngine, settings: Settings, role: Role, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """What a caller gets, and the audit entries the request wrote (request id neutralized)."""
    request_id = uuid.uuid4().hex
    ctx = Context(engine=engine, settings=settings, caller=Caller(subject="diff", role=role), request_id=request_id)
    try:
        result = await schema.execute(query, variables, context_value=ctx)
    except asyncio.CancelledError:
        # graphql-core cancelled a sibling that shared a DataLoader batch (a non-null error):
        # the app answers it as INTERNAL (api/app.py); both executors must do it alike.
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
        return {"raised": "CancelledError"}
    finally:
        await ctx.close()
    audit = table_of(AuditEntry)
    async with engine.connect() as conn:
        written = (
            await conn.execute(
                select(audit.c.customer_id, audit.c.role, audit.c.fields)
                .where(audit.c.request_id == request_id)
                .order_by(audit.c.customer_id)
            )
        ).all()
    errors = [repr(error.formatted).replace(request_id, "<request>") for error in result.errors or []]
    return {
        "data": result.data,
        "errors": errors,
        "extensions": result.extensions,
        "audit": [(row.customer_id, row.role, list(row.fields)) for row in written],
    }


async def same_answer(
    engine: AsyncEngine, settings: Settings, role: Role, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Runs `query` through both executors, asserts they answer alike, returns the answer."""
    standard = await _answer(SCHEMAS["standard"], engine, settings, role, query, variables or {})
    for executor in ("fast", "compiled"):
        answer = await _answer(SCHEMAS[executor], engine, settings, role, query, variables or {})
        assert answer == standard, (executor, role, query, variables)
    return standard


@pytest.fixture
async def people(engine: AsyncEngine) -> list[str]:
    """The no-leak property's people (no consent, sharing, personalization), each with orders,
    tickets, feedback, points and scores; the second also withdrew marketing. Returns the global
    ids of the customers and their profiles, alternating."""
    ids = await _seed(engine)
    async with engine.begin() as conn:
        for n, person in enumerate(PEOPLE):
            customer_id = decode_id(ids[2 * n], "Customer")
            channel, external_id, _phone = person["profiles"][0]
            orders = [
                await create_order(
                    conn,
                    channel=channel,
                    customer_external_id=external_id,
                    external_id=f"diff-{n}-{k}",
                    placed_at=days_ago(10 * k + n + 1),
                    lines=(("SKU-1", "Tee", 1 + k, "19.90"), ("SKU-2", "Cap", 1, "5.00")),
                    status="RETURNED" if k == 2 else "PLACED",
                )
                for k in range(3)
            ]
            ticket = await create_ticket(conn, customer_id=customer_id, opened_at=days_ago(3 + n))
            await create_feedback(conn, customer_id=customer_id, submitted_at=days_ago(2), order_id=orders[0])
            await create_feedback(conn, customer_id=customer_id, submitted_at=days_ago(1), ticket_id=ticket, kind="NPS")
            await create_points_entry(conn, customer_id=customer_id, at=days_ago(5), delta=100 * (n + 1))
            await create_scores(conn, customer_id=customer_id, value_tier="HIGH" if n != 1 else "LOW")
            if n == 1:
                await grant(conn, customer_id=customer_id, purpose="MARKETING", granted=False)
    return ids


@pytest.mark.parametrize("role", list(Role))
async def test_generated_queries_answer_alike(engine, settings, people, role: Role) -> None:
    generated = _generate(people)
    answered = 0
    for query in generated:
        answer = await same_answer(engine, settings, role, query)
        answered += answer.get("data") is not None
    assert answered > len(generated) // 2, "most generated queries should answer data"


@pytest.mark.parametrize("role", list(Role))
async def test_hand_written_reads_answer_alike(engine, settings, people, role: Role) -> None:
    customers = list(dict.fromkeys(people[0::2]))
    seen_clear = found = 0
    for customer in customers:
        answer = await same_answer(engine, settings, role, CUSTOMER_360, {"id": customer})
        assert answer["errors"] == []
        found += answer["data"]["customer"] is not None  # PARTNER: only customers sharing with partners
        seen_clear += bool(answer["audit"])
        for query in QUERIES:
            await same_answer(engine, settings, role, query, {"id": customer, "no": customer == customers[0]})
    assert found >= 1
    for first in (0, 2, 10):
        answer = await same_answer(engine, settings, role, CUSTOMER_LIST, {"first": first})
        assert len(answer["data"]["customers"]["edges"]) == min(first, found)
    if role is not Role.ANALYST:  # ANALYST never sees a personal value in clear
        assert seen_clear, "some reads must be audited"


def _executions(path: str) -> float:
    return float(EXECUTIONS.labels(path)._value.get())


@pytest.mark.parametrize("role", list(Role))
async def test_frontend_reads_take_the_compiled_path(engine, settings, people, role: Role) -> None:
    """The 360 and the list are planned and answered by the compiled executor itself (not by its
    fallback); a read whose resolver raises falls back and still answers as the standard one."""
    customer = people[0]
    for query, variables in ((CUSTOMER_360, {"id": customer}), (CUSTOMER_LIST, {"first": 10})):
        compiled, fallback = _executions("compiled"), _executions("fallback")
        answer = await _answer(SCHEMAS["compiled"], engine, settings, role, query, variables)
        assert answer["errors"] == []
        assert (_executions("compiled"), _executions("fallback")) == (compiled + 1, fallback)
    bad_cursor = """query ($id: ID!) {
      customer(id: $id) { id orders(first: 1, after: "bad") { edges { node { id } } } } }"""
    fallback = _executions("fallback")
    answer = await same_answer(engine, settings, role, bad_cursor, {"id": customer})
    if answer["data"]["customer"] is not None:  # PARTNER sees only the customers sharing with partners
        assert _executions("fallback") == fallback + 1
        assert "not a valid cursor" in answer["errors"][0]
