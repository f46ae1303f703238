"""Each abuse limit, attacked over HTTP, is refused cheaply: before any resolver runs, which
these tests check by counting the SQL statements the test engine executes."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import event, text

from api.app import MAX_BODY_BYTES, create_app
from domain.privacy.roles import Role
from tests.conftest import token
from tests.privacy.helpers import ingest_person
from tests.statements import is_authentication

AUTH = {"Authorization": f"Bearer {token(Role.ANALYST)}"}


@pytest.fixture
def statements(engine) -> Iterator[list[str]]:
    """The SQL statements executed on the test engine while the test runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if not is_authentication(statement):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _refused(gql, statements: list[str], query: str) -> dict:  # type: ignore[type-arg]
    statements.clear()
    response = await gql.post(query, role=Role.ANALYST)
    assert statements == [], "the attack reached the database"
    body = response.json()
    assert body.get("data") is None and body["errors"], body
    return body  # type: ignore[no-any-return]


async def test_too_deep_a_query_is_refused(gql, statements) -> None:
    inner = "id"
    for _ in range(4):  # 4 levels per round trip through Customer.orders and Order.customer
        inner = f"orders(first: 1) {{ edges {{ node {{ customer {{ {inner} }} }} }} }}"
    body = await _refused(gql, statements, f'{{ customer(id: "x") {{ {inner} }} }}')
    assert "exceeds maximum operation depth of 12" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(gql, statements) -> None:
    aliases = " ".join(f"a{n}: customers(first: 1) {{ totalCount }}" for n in range(31))
    body = await _refused(gql, statements, f"{{ {aliases} }}")
    assert "aliases" in body["errors"][0]["message"]


async def test_too_many_tokens_are_refused(gql, statements) -> None:
    body = await _refused(gql, statements, "{ customers { totalCount " + "totalCount " * 5000 + "} }")
    assert "token" in body["errors"][0]["message"].lower()


async def test_too_costly_a_query_is_refused_and_tells_its_cost(gql, statements) -> None:
    query = "{ customers(first: 100) { edges { node { orders(first: 100) { totalCount } } } } }"
    body = await _refused(gql, statements, query)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert error["extensions"]["cost"] == {"requested": 1 + 100 + 100 * 100, "limit": 5000}
    assert body["extensions"]["cost"] == {"requested": 10101, "limit": 5000}


async def test_an_affordable_query_answers_its_cost(gql) -> None:
    query = """query($n: Int) { customers(first: $n) { edges { node { orders(first: 5) { totalCount } } } }
      auditLog { totalCount } }"""
    body = (await gql.post(query, {"n": 10})).json()
    assert body["extensions"]["cost"] == {"requested": 1 + 10 + 10 * 5 + 50, "limit": 5000}


async def test_first_above_100_is_invalid_input_even_nested(gql, statements) -> None:
    query = "{ customers(first: 10) { edges { node { orders(first: 500) { totalCount } } } } }"
    body = await _refused(gql, statements, query)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_body_too_large_is_413_even_without_content_length(client, statements) -> None:
    big = b'{"query": "{ viewer { role } }", "pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = await client.post("/graphql", content=big, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # chunked: no Content-Length to trust
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    response = await client.post("/graphql", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 413 and statements == []


async def test_batched_requests_are_refused(client, statements) -> None:
    batch = [{"query": "{ customers { totalCount } }"}] * 3
    response = await client.post("/graphql", json=batch, headers=AUTH)
    assert response.status_code == 400 and statements == []


async def test_internal_errors_answer_no_internals(engine, gql) -> None:
    await ingest_person(engine, 1)
    async with engine.begin() as conn:
        await conn.execute(text("DROP TABLE identifiers"))
    response = await gql.post("{ customers { edges { node { identifiers { value } } } } }")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL" and error["message"].startswith("internal error (request id")
    for leak in ("no such table", "does not exist", "SELECT", "Traceback", "asyncpg", "sqlite", "user1@example"):
        assert leak not in response.text


@pytest.fixture
async def tight(engine, settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose callers may spend 30 cost points, refilled at 1 point a second."""
    app = create_app(
        settings=dataclasses.replace(settings, rate_limit_burst=30, rate_limit_per_second=1.0), engine=engine
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c360.test") as c:
        yield c


async def test_callers_are_rate_limited_by_cost(tight, statements) -> None:
    query = {"query": "{ customers(first: 20) { totalCount } }"}  # costs 21
    assert (await tight.post("/graphql", json=query, headers=AUTH)).status_code == 200
    statements.clear()
    response = await tight.post("/graphql", json=query, headers=AUTH)
    assert response.status_code == 429 and statements == []
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= int(response.headers["Retry-After"]) <= 12  # 12 points missing at 1 point/s
    other = {"Authorization": f"Bearer {token(Role.ANALYST, subject='someone-else')}"}
    assert (await tight.post("/graphql", json=query, headers=other)).status_code == 200


async def test_graphiql_introspection_passes_the_limits(gql) -> None:
    from graphql import get_introspection_query

    body = (await gql.post(get_introspection_query(descriptions=True), role=Role.ANALYST)).json()
    assert not body.get("errors") and body["data"]["__schema"]["queryType"]["name"] == "Query"
