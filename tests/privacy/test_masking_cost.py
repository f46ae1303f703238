"""Masking is cheap: no SQL per field. A page of customers with every personal field costs the
same number of statements for 3 customers as for 12, for every role (consent-dependent roles
add one batched statement for the granted purposes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from domain.privacy.roles import Role
from tests.privacy.helpers import ingest_person
from tests.statements import is_authentication

QUERY = """query($n: Int) { customers(first: $n) { edges { node {
  displayName email phone birthDate address { line1 postalCode }
  profiles { externalId displayName email phone } identifiers { kind value } } } } }"""


@pytest.fixture
def statements(engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if not is_authentication(statement):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_statements_do_not_grow_with_the_page(engine, gql, statements) -> None:
    for n in range(12):
        await ingest_person(engine, n, consents=(("THIRD_PARTY_SHARING", True),))
    for role in Role:
        counts = []
        for size in (3, 12):
            statements.clear()
            await gql(QUERY, {"n": size}, role=role)
            counts.append(len([s for s in statements if "audit_entries" not in s]))
        assert counts[0] == counts[1], (role, counts)
        assert counts[0] <= 5, (role, counts)  # page, profiles, identifiers, (granted purposes)
