"""Keyset pagination over HTTP: walks of first: 7 to the end with no duplicates or gaps while rows
are inserted between pages, totalCount, the 100 limit and malformed cursors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from resolvers.common.ids import encode_id
from tests import factories as f

ORDERS_PAGE = """query($id: ID!, $after: String) { customer(id: $id) { orders(first: 7, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id externalId placedAt } } } } }"""


async def _walk(gql, query: str, variables: dict[str, Any], path: list[str], between=None) -> tuple[list[Any], Any]:
    """Every node of a connection, page by page; `between(page_number)` runs after each page."""
    nodes: list[Any] = []
    after = None
    for page_number in range(100):
        data = await gql(query, {**variables, "after": after})
        conn = data
        for key in path:
            conn = conn[key]
        info = conn["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        if conn["edges"]:
            assert info["startCursor"] == conn["edges"][0]["cursor"]
            assert info["endCursor"] == conn["edges"][-1]["cursor"]
        nodes += [e["node"] for e in conn["edges"]]
        if between is not None:
            await between(page_number)
        if not info["hasNextPage"]:
            return nodes, conn
        assert len(conn["edges"]) == 7
        after = info["endCursor"]
    raise AssertionError("the walk did not end")


async def test_orders_walk_while_orders_arrive(engine, gql) -> None:
    async with engine.begin() as conn:
        cid = await f.create_customer(conn, external_id="w-1")
        for k in range(30):
            # Pairs of orders at the same instant: the id breaks the tie.
            await f.create_order(
                conn, customer_external_id="w-1", external_id=f"o-{k}", placed_at=f.days_ago(100 - (k // 2))
            )

    async def arrive(page_number: int) -> None:
        async with engine.begin() as conn:
            # One newer than everything (sorts before the cursor: not in this walk) and one older
            # than everything (sorts after it: the walk reaches it).
            await f.create_order(
                conn, customer_external_id="w-1", external_id=f"new-{page_number}", placed_at=f.days_ago(1)
            )
            await f.create_order(
                conn,
                customer_external_id="w-1",
                external_id=f"old-{page_number}",
                placed_at=f.days_ago(500 + page_number),
            )

    nodes, last = await _walk(gql, ORDERS_PAGE, {"id": encode_id("Customer", cid)}, ["customer", "orders"], arrive)
    ids = [n["externalId"] for n in nodes]
    assert len(ids) == len(set(ids))
    assert {f"o-{k}" for k in range(30)} <= set(ids)
    assert not any(i.startswith("new-") for i in ids)
    # 5 pages: 30 originals plus the 4 old ones that arrived before the last page was read.
    assert [i for i in ids if i.startswith("old-")] == [f"old-{p}" for p in range(4)]
    assert len(ids) == 34
    assert [n["placedAt"] for n in nodes] == sorted((n["placedAt"] for n in nodes), reverse=True)
    assert last["totalCount"] == 30 + 2 * 4


async def test_customers_walk_while_customers_arrive(engine, gql) -> None:
    async with engine.begin() as conn:
        for k in range(20):
            await f.create_customer(conn, external_id=f"w-{k}")
    query = """query($after: String) { customers(first: 7, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } }"""

    async def arrive(page_number: int) -> None:
        async with engine.begin() as conn:
            await f.create_customer(conn, external_id=f"late-{page_number}")

    nodes, last = await _walk(gql, query, {}, ["customers"], arrive)
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) == last["totalCount"] == 23  # 20 + those that arrived before the last page


@pytest.mark.parametrize("edge", ["tickets", "feedback"])
async def test_tickets_and_feedback_walk(engine, gql, edge: str) -> None:
    async with engine.begin() as conn:
        cid = await f.create_customer(conn, external_id="w-1")
        for k in range(16):
            at = f.days_ago(50 - k // 3)
            if edge == "tickets":
                await f.create_ticket(conn, customer_id=cid, opened_at=at, subject=f"t-{k}")
            else:
                await f.create_feedback(conn, customer_id=cid, submitted_at=at, comment=f"t-{k}")
    field = "subject" if edge == "tickets" else "comment"
    query = f"""query($id: ID!, $after: String) {{ customer(id: $id) {{ {edge}(first: 7, after: $after) {{
        totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
        edges {{ cursor node {{ {field} }} }} }} }} }}"""
    nodes, last = await _walk(gql, query, {"id": encode_id("Customer", cid)}, ["customer", edge])
    assert [n[field] for n in nodes] == [f"t-{k}" for k in reversed(range(16))]
    assert last["totalCount"] == 16


async def test_ledger_pages_by_entry_cursor(engine, gql) -> None:
    async with engine.begin() as conn:
        cid = await f.create_customer(conn, external_id="w-1")
        for k in range(5):
            await f.create_points_entry(conn, customer_id=cid, at=f.days_ago(10 - k), delta=k + 1)
    query = """query($id: ID!, $after: String) { customer(id: $id) { loyalty {
        ledger(first: 2, after: $after) { delta cursor } } } }"""
    seen: list[int] = []
    after = None
    for _ in range(4):
        page = (await gql(query, {"id": encode_id("Customer", cid), "after": after}))["customer"]["loyalty"]["ledger"]
        seen += [e["delta"] for e in page]
        if not page:
            break
        after = page[-1]["cursor"]
    assert seen == [5, 4, 3, 2, 1]


@pytest.mark.parametrize(
    "selection",
    [
        "customers(first: 101) { totalCount }",
        "customers(first: -1) { totalCount }",
        'customer(id: "$ID") { orders(first: 101) { totalCount } }',
        'customer(id: "$ID") { tickets(first: 500) { totalCount } }',
        'customer(id: "$ID") { feedback(first: 101) { totalCount } }',
        'customer(id: "$ID") { loyalty { ledger(first: 101) { delta } } }',
        'customer(id: "$ID") { orders(after: "bm90IGpzb24") { totalCount } }',
        'customer(id: "$ID") { orders(after: "WzFd") { totalCount } }',
        'customers(after: "WyJ4Il0") { totalCount }',
        'customer(id: "T3JkZXI6MQ") { id }',
        'customer(id: "%%%") { id }',
    ],
)
async def test_bad_page_arguments_are_invalid_input(engine, gql, selection: str) -> None:
    async with engine.begin() as conn:
        cid = await f.create_customer(conn, external_id="w-1")
    body = (await gql.post("{ " + selection.replace("$ID", encode_id("Customer", cid)) + " }")).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body


async def test_ids_are_opaque_and_stable(engine, gql) -> None:
    async with engine.begin() as conn:
        cid = await f.create_customer(conn, external_id="w-1")
        await f.create_order(conn, customer_external_id="w-1", external_id="o-1", placed_at=f.days_ago(3))
    query = "query($id: ID!) { customer(id: $id) { id orders { edges { cursor node { id } } } } }"
    first = await gql(query, {"id": encode_id("Customer", cid)})
    again = await gql(query, {"id": first["customer"]["id"]})
    assert first == again
    order_id = first["customer"]["orders"]["edges"][0]["node"]["id"]
    for opaque in (first["customer"]["id"], order_id, first["customer"]["orders"]["edges"][0]["cursor"]):
        assert "Customer" not in opaque and "Order" not in opaque and str(cid) != opaque
    assert (await gql("query($id: ID!) { node(id: $id) { id } }", {"id": order_id}))["node"]["id"] == order_id


def test_cursor_times_keep_microseconds() -> None:
    from resolvers.common.connections import decode_time_cursor, time_cursor

    at = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)
    assert decode_time_cursor(time_cursor(at, 42)) == (at, 42)
