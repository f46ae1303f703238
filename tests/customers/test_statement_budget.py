"""Statement budget: a query's SQL statement count depends on its shape, never on how many rows
it returns. Statements are counted with SQLAlchemy's `before_cursor_execute` on the test engine
while the query runs over HTTP (SQLite and PostgreSQL).

Reads are asserted exactly. The writes a read request may make (the audit trail of clear personal
reads: one INSERT on the request's autocommit connection; on SQLite, a trail of several customers
adds its BEGIN IMMEDIATE) are asserted to stay within that and not to grow with the page."""

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
from tests.statements import is_authentication

# customer, profiles, identifiers, orders (with totalCount) + lines, loyalty account with scores,
# ledger, tickets (with totalCount), feedback (with totalCount) + order + ticket, consents,
# consent history, segments list + membership, merge history
CUSTOMER_360_STATEMENTS = 16
# customers + count, orders (with totalCount) + lines, tickets, feedback, loyalty with scores, consents
CUSTOMER_LIST_STATEMENTS = 8


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not is_authentication(statement):
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


async def test_partner_consent_checks_reuse_the_consents_read(engine, gql, hundred) -> None:
    n, data = await _count(engine, gql, CUSTOMER_360, {"id": encode_id("Customer", 8)}, role=Role.PARTNER)
    assert [s["name"] for s in data["customer"]["segments"]] == ["Gold", "Web shoppers"]
    assert n == CUSTOMER_360_STATEMENTS


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


async def test_total_count_of_a_first_page_comes_with_the_page(engine, gql, hundred) -> None:
    with_count = "query { customers(first: 20) { edges { node { orders(first: 1) { totalCount } } } } }"
    without = "query { customers(first: 20) { edges { node { orders(first: 1) { edges { node { id } } } } } } }"
    n_with, data = await _count(engine, gql, with_count, {})
    n_without, _ = await _count(engine, gql, without, {})
    assert (n_with, n_without) == (2, 2)
    assert all(e["node"]["orders"]["totalCount"] == 12 for e in data["customers"]["edges"])


async def test_total_count_after_a_cursor_is_one_count(engine, gql, hundred) -> None:
    query = """query($id: ID!, $after: String) { customer(id: $id) {
        orders(first: 5, after: $after) { totalCount pageInfo { endCursor } edges { node { id } } } } }"""
    gid = encode_id("Customer", 3)
    first = (await gql(query, {"id": gid}))["customer"]["orders"]
    n, data = await _count(engine, gql, query, {"id": gid, "after": first["pageInfo"]["endCursor"]})
    later = data["customer"]["orders"]
    assert n == 3  # customer, page, count
    assert later["totalCount"] == first["totalCount"] == 12 and len(later["edges"]) == 5
    assert not {e["node"]["id"] for e in later["edges"]} & {e["node"]["id"] for e in first["edges"]}


async def test_loyalty_and_scores_read_together_answer_as_apart(engine, gql, hundred) -> None:
    loyalty = "loyalty { tier { code } pointsBalance pointsExpiringWithin30Days spend12m }"
    scores = "scores { rfm { recencyDays frequency monetary r f m segment } clv { historic predicted12m } valueTier }"
    query = "query($id: ID!) { customer(id: $id) { %s } }"
    gid = {"id": encode_id("Customer", 5)}
    n_both, both = await _count(engine, gql, query % (loyalty + " " + scores), gid)
    n_loyalty, alone_loyalty = await _count(engine, gql, query % loyalty, gid)
    n_scores, alone_scores = await _count(engine, gql, query % scores, gid)
    assert both["customer"] == {**alone_loyalty["customer"], **alone_scores["customer"]}
    assert both["customer"]["scores"] is not None and both["customer"]["loyalty"]["pointsBalance"] == 400
    assert (n_both, n_loyalty, n_scores) == (2, 2, 2)
    unscored = {"id": encode_id("Customer", 6)}
    async with engine.begin() as conn:
        await conn.exec_driver_sql("DELETE FROM customer_scores WHERE customer_id = 6")
    data = await gql(query % (loyalty + " " + scores), unscored)
    assert data["customer"]["scores"] is None and data["customer"]["loyalty"]["pointsBalance"] == 400
