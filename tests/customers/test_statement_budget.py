"""Statement budget: a query's SQL statement count depends on its shape, never on how many rows
it returns. Statements are counted with SQLAlchemy's `before_cursor_execute` on the test engine
while the query runs over HTTP (SQLite and PostgreSQL).

Reads are asserted exactly. Writes a read request may make (the audit trail of clear personal
reads: one insert, plus SQLite's BEGIN IMMEDIATE) are asserted to stay within that and not to
grow with the page, so the budget holds whichever of the two lands first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.bulk import seed_uniform
from tests.customers.graph_queries import CUSTOMER_360, CUSTOMER_LIST

# customer, profiles, identifiers, orders + count + lines, loyalty + ledger, tickets + count,
# feedback + count + order + ticket, scores, consents, consent history, segments list + membership,
# merge history
CUSTOMER_360_STATEMENTS = 20
# customers + count, orders + count + lines, tickets, feedback, loyalty, scores, consents
CUSTOMER_LIST_STATEMENTS = 10


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


MAX_WRITES = 2


def _reads(statements: list[str]) -> int:
    reads = sum(1 for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH")))
    assert len(statements) - reads <= MAX_WRITES, statements
    return reads


async def _count(engine, gql, query: str, variables: dict[str, Any], role: Role = Role.ADMIN) -> tuple[int, Any]:
    """(SELECT statements, data) of one request; fails on more than MAX_WRITES other statements."""
    await gql("{ viewer { role } }", role=role)  # the engine's first connect runs dialect setup queries
    with counted(engine) as statements:
        data = await gql(query, variables, role=role)
    return _reads(statements), data


@pytest.fixture
async def hundred(engine) -> None:
    await seed_uniform(engine, customers=100)


async def test_customer_360_statement_count(engine, gql, hundred) -> None:
    n, data = await _count(engine, gql, CUSTOMER_360, {"id": encode_id("Customer", 7)})
    c = data["customer"]
    assert len(c["orders"]["edges"]) == 10 and c["orders"]["pageInfo"]["hasNextPage"] is True
    assert all(len(e["node"]["lines"]) == 2 for e in c["orders"]["edges"])
    assert c["feedback"]["edges"][0]["node"]["order"] is not None and len(c["segments"]) == 1
    assert n == CUSTOMER_360_STATEMENTS


async def test_partner_pays_one_statement_for_visibility(engine, gql, hundred) -> None:
    n, data = await _count(engine, gql, CUSTOMER_360, {"id": encode_id("Customer", 8)}, role=Role.PARTNER)
    assert [s["name"] for s in data["customer"]["segments"]] == ["Gold", "Web shoppers"]
    assert n == CUSTOMER_360_STATEMENTS + 1


async def test_customer_list_statement_count_does_not_grow_with_the_page(engine, gql, hundred) -> None:
    counts, totals = {}, {}
    for first in (5, 100):
        await gql("{ viewer { role } }")
        with counted(engine) as statements:
            data = await gql(CUSTOMER_LIST, {"first": first})
        n, totals[first] = _reads(statements), len(statements)
        edges = data["customers"]["edges"]
        assert len(edges) == first and data["customers"]["totalCount"] == 100
        assert all(len(e["node"]["orders"]["edges"]) == 10 for e in edges)
        assert all(e["node"]["orders"]["totalCount"] == 12 for e in edges)
        assert all(len(o["node"]["lines"]) == 2 for e in edges for o in e["node"]["orders"]["edges"])
        assert all(len(e["node"]["tickets"]["edges"]) == 3 for e in edges)
        assert all(e["node"]["loyalty"]["pointsBalance"] == 400 for e in edges)
        counts[first] = n
    assert counts == {5: CUSTOMER_LIST_STATEMENTS, 100: CUSTOMER_LIST_STATEMENTS}
    assert totals[5] == totals[100]


async def test_pages_are_windowed_in_sql_one_statement_per_argument_set(engine, gql, hundred) -> None:
    query = """query { customers(first: 50) { edges { node {
        a: orders(first: 3) { edges { node { id } } }
        b: orders(first: 3) { edges { node { id } } }
        c: orders(first: 2, channel: WEB) { edges { node { id } } }
    } } } }"""
    with counted(engine) as statements:
        data = await gql(query)
    orders = [s for s in statements if "orders" in s.lower() and "row_number" in s.lower()]
    assert len(orders) == 2  # a and b share their arguments; c differs
    assert all("partition by" in s.lower() for s in orders)
    edges = data["customers"]["edges"]
    assert all(len(e["node"]["a"]["edges"]) == 3 and e["node"]["a"] == e["node"]["b"] for e in edges)
    assert all(len(e["node"]["c"]["edges"]) == 2 for e in edges)


async def test_total_count_costs_nothing_unless_selected(engine, gql, hundred) -> None:
    with_count = "query { customers(first: 20) { edges { node { orders(first: 1) { totalCount } } } } }"
    without = "query { customers(first: 20) { edges { node { orders(first: 1) { edges { node { id } } } } } } }"
    n_with, _ = await _count(engine, gql, with_count, {})
    n_without, _ = await _count(engine, gql, without, {})
    assert (n_with, n_without) == (3, 2)
