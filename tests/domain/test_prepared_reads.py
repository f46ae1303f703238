"""Prepared reads (domain/prepared_reads.py): on PostgreSQL a statement seen once answers on the
driver with rows equal to SQLAlchemy's, value for value, type for type, key for key; what a plan
cannot reproduce stays on SQLAlchemy. On SQLite every statement goes through SQLAlchemy."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Executable,
    Integer,
    Row,
    bindparam,
    event,
    func,
    insert,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.base import UTCDateTime, utcnow
from domain.customers import queries as customer_sql
from domain.customers.facts import ACCOUNTS_WITH_SCORES_BY_CUSTOMER_IDS
from domain.feedback.queries import FEEDBACK_BY_IDS, FEEDBACK_PAGES
from domain.loyalty.queries import ACCOUNTS_BY_CUSTOMER_IDS, ALL_TIERS, LEDGER_PAGES, account_params
from domain.orders import queries as order_sql
from domain.prepared_reads import Plan, PreparedReads
from domain.privacy.queries import CONSENT_HISTORY_BY_CUSTOMER_IDS, CURRENT_CONSENTS_BY_CUSTOMER_IDS
from domain.scoring.queries import SCORES_BY_CUSTOMER_IDS
from domain.segments.queries import ALL_SEGMENTS, SEGMENTS_BY_IDS
from domain.service.queries import TICKET_PAGES, TICKETS_BY_IDS
from resolvers.common.ids import encode_id
from tests.bulk import seed_uniform
from tests.customers.graph_queries import CUSTOMER_360

CUSTOMERS = [1, 2, 3, 4, 5, 6]
# A column whose type has a result processor on PostgreSQL too: UTCDateTime over a `timestamp`
# without time zone (the processor makes it aware); on SQLite over text.
NAIVE_TIME = {
    backend: select(
        type_coerce(literal_column(time), UTCDateTime).label("at"), bindparam("n", type_=Integer).label("n")
    )
    for backend, time in (("postgresql", "timestamp '2026-03-01 12:30:00'"), ("sqlite", "'2026-03-01 12:30:00'"))
}


def main_statements(now: dt.datetime, backend: str) -> list[tuple[str, Executable, dict[str, Any]]]:
    """The loader statements of the customer 360 and the customer lists, with parameters."""
    ids = {"ids": CUSTOMERS}
    first_orders, first_params = order_sql.ORDER_PAGES.page(CUSTOMERS, (), None, 11)
    after_orders, after_params = order_sql.ORDER_PAGES.page(CUSTOMERS, (), (now, 10**9), 5)
    channel_orders, channel_params = order_sql.ORDER_PAGES.page(CUSTOMERS, (("channel", "WEB"),), None, 3)
    order_counts, count_params = order_sql.ORDER_PAGES.count(CUSTOMERS, ())
    tickets, ticket_params = TICKET_PAGES.page(CUSTOMERS, (), None, 10)
    feedback, feedback_params = FEEDBACK_PAGES.page(CUSTOMERS, (), None, 5)
    ledger, ledger_params = LEDGER_PAGES.page(CUSTOMERS, (), None, 10)
    return [
        ("customers", customer_sql.CUSTOMERS_BY_IDS, ids),
        ("redirects", customer_sql.REDIRECT_TARGETS, {"ids": [900, 901]}),
        ("profiles", customer_sql.PROFILES_BY_CUSTOMER_IDS, ids),
        ("profiles by id", customer_sql.PROFILES_BY_IDS, {"ids": [1, 2, 3]}),
        ("identifiers", customer_sql.IDENTIFIERS_BY_CUSTOMER_IDS, ids),
        ("merge events", customer_sql.MERGE_EVENTS_BY_CUSTOMER_IDS, ids),
        ("orders first page", first_orders, first_params),
        ("orders after a cursor", after_orders, after_params),
        ("orders of a channel", channel_orders, channel_params),
        ("order counts", order_counts, count_params),
        ("orders by id", order_sql.ORDERS_BY_IDS, {"ids": [1, 2, 3]}),
        ("lines", order_sql.LINES_BY_ORDER_IDS, {"ids": [1, 2, 3, 4]}),
        ("accounts", ACCOUNTS_BY_CUSTOMER_IDS, account_params(CUSTOMERS, now)),
        ("accounts with scores", ACCOUNTS_WITH_SCORES_BY_CUSTOMER_IDS, account_params(CUSTOMERS, now)),
        ("scores", SCORES_BY_CUSTOMER_IDS, ids),
        ("tickets", tickets, ticket_params),
        ("tickets by id", TICKETS_BY_IDS, {"ids": [1, 2]}),
        ("feedback", feedback, feedback_params),
        ("feedback by id", FEEDBACK_BY_IDS, {"ids": [1, 2]}),
        ("ledger", ledger, ledger_params),
        ("tiers", ALL_TIERS, {}),
        ("consents", CURRENT_CONSENTS_BY_CUSTOMER_IDS, ids),
        ("consent history", CONSENT_HISTORY_BY_CUSTOMER_IDS, ids),
        ("segments", ALL_SEGMENTS, {}),
        ("segments by id", SEGMENTS_BY_IDS, {"ids": [1, 2]}),
        ("a result processor", NAIVE_TIME[backend], {"n": 7}),
    ]


@pytest.fixture
async def data(engine: AsyncEngine) -> None:
    await seed_uniform(engine, customers=len(CUSTOMERS))
    async with engine.begin() as conn:
        await conn.execute(
            insert(customer_sql.redirects), [{"from_id": 900, "customer_id": 2}, {"from_id": 901, "customer_id": 3}]
        )


@pytest.fixture
async def conn(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read connection as the request context has one: autocommit."""
    async with engine.connect() as plain:
        yield await plain.execution_options(isolation_level="AUTOCOMMIT")


def described(rows: Sequence[Row[Any]]) -> list[Any]:
    """Everything a caller can tell of rows: class, keys, values with their types and zones,
    attribute access, the mapping."""
    return [
        (
            type(row),
            row._fields,
            [(value, type(value), getattr(value, "tzinfo", None)) for value in row],
            [getattr(row, key) for key in row._fields],
            dict(row._mapping),
        )
        for row in rows
    ]


async def test_planned_statements_answer_as_sqlalchemy_does(engine, conn, data, backend) -> None:
    reads = await PreparedReads.on(conn)
    assert (reads.driver is not None) == (backend == "postgresql")
    for name, statement, params in main_statements(utcnow(), backend):
        assert reads.plan(statement) is None
        first = await reads.rows(statement, params)  # the first two go through SQLAlchemy
        learnt = await reads.rows(statement, params)
        planned = await reads.rows(statement, params)
        expected = (await conn.execute(statement, params)).all()
        assert expected, f"{name}: no rows to compare"
        assert described(first) == described(learnt) == described(planned) == described(expected), name
        times = [value for row in planned for value in row if isinstance(value, dt.datetime)]
        assert all(time.tzinfo is dt.UTC for time in times), name  # UTCDateTime: aware, in UTC
        if backend == "postgresql":
            assert isinstance(reads.plan(statement), Plan), name
    plan = reads.plan(NAIVE_TIME[backend])
    if plan is not None:
        assert plan.processors is not None  # applied on the driver path as SQLAlchemy applies them
    at = (await reads.rows(NAIVE_TIME[backend], {"n": 1}))[0].at
    assert at == dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC) and at.tzinfo is dt.UTC


async def test_rows_keep_column_keys_and_every_batch_size(conn, data) -> None:
    reads = await PreparedReads.on(conn)
    for size in (1, 2, 5, 0, 6, 3):
        rows = await reads.rows(customer_sql.CUSTOMERS_BY_IDS, {"ids": CUSTOMERS[:size]})
        assert [row.id for row in rows] == CUSTOMERS[:size]
        assert all(row._mapping[customer_sql.customers.c.id] == row.id for row in rows)


async def test_statements_a_plan_cannot_serve_stay_on_sqlalchemy(conn, data) -> None:
    reads = await PreparedReads.on(conn)
    expanding = select(customer_sql.customers.c.id).where(
        customer_sql.customers.c.id.in_(bindparam("ids", expanding=True))
    )
    for size in (1, 3, 2):
        rows = await reads.rows(expanding, {"ids": CUSTOMERS[:size]})
        assert [row.id for row in rows] == CUSTOMERS[:size]
    assert reads.plan(expanding) is None


async def test_execution_listeners_see_every_statement(engine, conn, data) -> None:
    reads = await PreparedReads.on(conn)
    for _ in range(2):
        await reads.rows(customer_sql.CUSTOMERS_BY_IDS, {"ids": [1]})
    assert (reads.plan(customer_sql.CUSTOMERS_BY_IDS) is not None) == (reads.driver is not None)
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        rows = await reads.rows(customer_sql.CUSTOMERS_BY_IDS, {"ids": [2]})
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert [row.id for row in rows] == [2] and len(seen) == 1


async def test_a_transaction_keeps_its_statements(engine, data) -> None:
    async with engine.connect() as conn:
        reads = await PreparedReads.on(conn)
        assert reads.driver is None  # outside autocommit the driver would run outside the transaction
        assert [row.id for row in await reads.rows(customer_sql.CUSTOMERS_BY_IDS, {"ids": [1]})] == [1]


async def test_a_failing_statement_raises_sqlalchemys_error(conn, data) -> None:
    reads = await PreparedReads.on(conn)
    magnitude = select(func.abs(bindparam("v", type_=BigInteger)).label("m"))
    for v in (-3, 3):
        assert (await reads.rows(magnitude, {"v": v}))[0].m == 3
    assert (reads.plan(magnitude) is not None) == (reads.driver is not None)
    with pytest.raises(DBAPIError, match=r"out of range|overflow"):
        await reads.rows(magnitude, {"v": -(2**63)})  # |v| is no bigint
    assert (await reads.rows(magnitude, {"v": -2}))[0].m == 2  # the connection still serves


async def test_customer_360_answers_the_same_with_and_without_listeners(engine, gql, data) -> None:
    variables = {"id": encode_id("Customer", 3)}
    plain, again, planned = [await gql(CUSTOMER_360, variables) for _ in range(3)]  # the third on plans
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        observed = await gql(CUSTOMER_360, variables)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert plain == again == planned == observed and seen
