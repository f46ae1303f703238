"""No log line carries a personal value in clear: requests that mention known values (as
arguments, in results, in failures) are made while every log record is captured."""

from __future__ import annotations

import logging

from sqlalchemy import text
from structlog.testing import capture_logs

from api.logs import redact_personal_keys
from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.privacy.helpers import KNOWN, ingest_known

CLEAR = [value for value, _masked in KNOWN.values()] + ["LiLei@Example.com", "13800138000"]


async def test_requests_with_known_personal_values_log_none_of_them(engine, gql, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    gid = encode_id("Customer", await ingest_known(engine))
    by_email = "query($v: String!) { customerByIdentifier(kind: EMAIL, value: $v) { id email displayName } }"
    with capture_logs() as events:
        for role in Role:
            await gql.post(by_email, {"v": "LiLei@Example.com"}, role=role)
            await gql.post(
                "query($id: ID!) { customer(id: $id) { displayName email phone birthDate address { line1 } "
                "profiles { externalId } identifiers { value } } }",
                {"id": gid},
                role=role,
            )
        await gql.post("query($id: ID!) { customer(id: $id) { id } }", {"id": "lilei@example.com"})
        async with engine.begin() as conn:  # now a lookup fails inside the database driver
            await conn.execute(text("DROP TABLE identifiers"))
        failed = (await gql.post(by_email, {"v": "lilei@example.com"})).json()
    assert failed["errors"][0]["extensions"]["code"] == "INTERNAL"
    lines = [repr(event) for event in events] + [record.getMessage() for record in caplog.records]
    assert any("resolver_failed" in line for line in lines) and any("graphql_request" in line for line in lines)
    for line in lines:
        for value in CLEAR:
            assert value not in line, (value, line)


def test_values_logged_under_personal_keys_are_redacted() -> None:
    event = redact_personal_keys(None, "info", {"event": "x", "email": "lilei@example.com", "phone": "+8613800138000"})
    assert event == {"event": "x", "email": "l***@example.com", "phone": "+86 138****8000"}
