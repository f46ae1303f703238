"""Bad values are input errors (contract "Trust"): NUL characters, dates outside the years
1900-2199, and amounts, quantities or ids the database cannot hold answer INVALID_INPUT with the
field, over HTTP on every write path, never INTERNAL, and write nothing.

A value a scalar cannot even represent (a time before year 1 in UTC, an Int beyond 32 bits)
answers a GraphQL error with `extensions.code` INVALID_INPUT and `extensions.field`; everything
else answers the mutation's payload `errors`, as other refused input does.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.customers.models import ChannelProfile, Customer
from domain.feedback.models import Feedback
from domain.loyalty.models import PointsEntry
from domain.orders.models import Order, OrderLine
from domain.privacy.models import AuditEntry, ConsentRecord
from domain.segments.models import Segment
from domain.service.models import Ticket
from tests.customers.identity import INGEST, RECORD_ORDER

NUL = "\u0000"
LINE = {"sku": "TEE", "name": "Tee", "quantity": 1, "unitPrice": "79.90"}
ORDER = {"channel": "STORE", "externalId": "R-1", "customerExternalId": "00042", "placedAt": "2026-03-01T10:00:00Z"}
FEEDBACK = "mutation($input: FeedbackInput!) { submitFeedback(input: $input) { errors { code message field } } }"
TICKET = "mutation($input: TicketInput!) { openTicket(input: $input) { ticket { id } errors { code message field } } }"
RESPOND = (
    "mutation($id: ID!, $at: DateTime) { respondToTicket(ticketId: $id, at: $at) { errors { code message field } } }"
)
REDEEM = (
    "mutation($id: ID!, $points: Int!, $reason: String!) {"
    " redeemPoints(customerId: $id, points: $points, reason: $reason) { errors { code message field } } }"
)
CONSENT = (
    "mutation($id: ID!, $source: String!) { setConsent(customerId: $id, purpose: MARKETING, granted: true,"
    " source: $source) { errors { code message field } } }"
)
SEGMENT = "mutation($input: SegmentInput!) { createSegment(input: $input) { errors { code message field } } }"
REFRESH = "mutation($asOf: DateTime) { refreshScores(asOf: $asOf) { errors { code message field } } }"
CUSTOMERS = "query($filter: CustomerFilter) { customers(filter: $filter) { totalCount } }"
INSIGHTS = "query($from: DateTime!, $to: DateTime!) { insights(from: $from, to: $to) { customers } }"
TABLES = (Customer, ChannelProfile, Order, OrderLine, Feedback, Ticket, PointsEntry, ConsentRecord, Segment)


def order(**changes: Any) -> dict[str, Any]:
    return {"input": {**ORDER, "lines": [LINE], **changes}}


def line(**changes: Any) -> dict[str, Any]:
    return order(lines=[{**LINE, **changes}])


async def refusal(gql: Any, query: str, variables: dict[str, Any]) -> tuple[str, list[str]]:
    """(code, field path) of the one error a request answered, from the payload or the response."""
    response = await gql.post(query, variables)
    assert response.status_code == 200, response.text
    assert "INTERNAL" not in response.text, response.text
    body = response.json()
    if body.get("errors"):
        [error] = body["errors"]
        return error["extensions"]["code"], error["extensions"].get("field", "").split(".")
    [payload] = body["data"].values()
    [error] = payload["errors"]
    assert NUL not in error["message"]
    return error["code"], error["field"]


async def counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            model.__tablename__: (await conn.execute(select(func.count()).select_from(model))).scalar_one()
            for model in TABLES
        }


async def customer_and_ticket(gql: Any) -> tuple[str, str]:
    made = await gql(INGEST, {"input": {"channel": "WEB", "externalId": "w-1", "displayName": "Ann"}})
    customer = made["ingestChannelProfile"]["customer"]["id"]
    opened = await gql(
        TICKET, {"input": {"customerId": customer, "category": "SERVICE", "channel": "WEB", "subject": "Hello"}}
    )
    return customer, opened["openTicket"]["ticket"]["id"]


async def assert_refused(gql: Any, engine: AsyncEngine, cases: list[tuple[str, dict[str, Any], list[str]]]) -> None:
    before = await counts(engine)
    for query, variables, field in cases:
        assert await refusal(gql, query, variables) == ("INVALID_INPUT", field), (field, variables)
    assert await counts(engine) == before  # nothing was written


async def test_nul_characters_are_invalid_input_on_every_write(gql, engine) -> None:
    customer, _ = await customer_and_ticket(gql)
    feedback = {"customerId": customer, "kind": "CSAT", "score": 5, "channel": "WEB"}
    ticket = {"customerId": customer, "category": "SERVICE", "channel": "WEB"}
    await assert_refused(
        gql,
        engine,
        [
            (INGEST, {"input": {"channel": "WEB", "externalId": f"w{NUL}2"}}, ["input", "externalId"]),
            (RECORD_ORDER, order(externalId=f"R{NUL}"), ["input", "externalId"]),
            (RECORD_ORDER, order(customerExternalId=f"{NUL}42"), ["input", "customerExternalId"]),
            (RECORD_ORDER, order(storeCode=f"SH{NUL}"), ["input", "storeCode"]),
            (RECORD_ORDER, line(sku=f"TEE{NUL}"), ["input", "lines", "0", "sku"]),
            (RECORD_ORDER, line(name=f"T{NUL}ee"), ["input", "lines", "0", "name"]),
            (FEEDBACK, {"input": {**feedback, "comment": f"fine{NUL}"}}, ["input", "comment"]),
            (TICKET, {"input": {**ticket, "subject": f"{NUL}"}}, ["input", "subject"]),
            (REDEEM, {"id": customer, "points": 1, "reason": f"gift{NUL}"}, ["reason"]),
            (CONSENT, {"id": customer, "source": f"desk{NUL}"}, ["source"]),
            (SEGMENT, {"input": {"name": f"vip{NUL}", "filter": {}}}, ["input", "name"]),
            (SEGMENT, {"input": {"name": "vip", "filter": {"search": f"A{NUL}"}}}, ["input", "filter", "search"]),
            (SEGMENT, {"input": {"name": "vip", "filter": {"tierCode": f"{NUL}"}}}, ["input", "filter", "tierCode"]),
            (CUSTOMERS, {"filter": {"search": f"Ann{NUL}"}}, ["filter", "search"]),
        ],
    )


async def test_dates_outside_1900_to_2199_are_invalid_input(gql, engine) -> None:
    customer, ticket = await customer_and_ticket(gql)
    feedback = {"customerId": customer, "kind": "CSAT", "score": 5, "channel": "WEB"}
    opened = {"customerId": customer, "category": "SERVICE", "channel": "WEB", "subject": "Hi"}
    at = ["input", "placedAt"]
    literal = (
        'mutation { recordOrder(input: {channel: WEB, externalId: "L", customerExternalId: "c", '
        'placedAt: "0001-01-01T00:00:00+08:00", lines: [{sku: "A", name: "a", quantity: 1, unitPrice: "1.00"}]})'
        " { errors { code } } }"
    )
    await assert_refused(
        gql,
        engine,
        [
            (RECORD_ORDER, order(placedAt="9999-12-31T00:00:00Z"), at),
            (RECORD_ORDER, order(placedAt="0001-01-01T00:00:00Z"), at),
            (RECORD_ORDER, order(placedAt="2200-01-01T00:00:00Z"), at),
            (RECORD_ORDER, order(placedAt="1899-12-31T23:59:59Z"), at),
            (RECORD_ORDER, order(placedAt="2199-12-31T23:00:00-05:00"), at),  # 2200 in UTC
            # No UTC form at all: the DateTime scalar refuses them, naming the field.
            (RECORD_ORDER, order(placedAt="9999-12-31T23:00:00-05:00"), at),
            (RECORD_ORDER, order(placedAt="0001-01-01T00:00:00+08:00"), at),
            (literal, {}, ["input", "placedAt"]),
            (
                INGEST,
                {"input": {"channel": "WEB", "externalId": "w-2", "seenAt": "9999-12-31T00:00:00Z"}},
                ["input", "seenAt"],
            ),
            (FEEDBACK, {"input": {**feedback, "submittedAt": "0001-01-01T00:00:00Z"}}, ["input", "submittedAt"]),
            (TICKET, {"input": {**opened, "openedAt": "1800-06-01T00:00:00Z"}}, ["input", "openedAt"]),
            (RESPOND, {"id": ticket, "at": "1899-01-01T00:00:00Z"}, ["at"]),
            (REFRESH, {"asOf": "0001-01-01T00:00:00Z"}, ["asOf"]),
            (INSIGHTS, {"from": "0001-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, ["from"]),
            (
                SEGMENT,
                {"input": {"name": "late", "filter": {"lastOrderBefore": "9999-12-31T00:00:00Z"}}},
                ["input", "filter", "lastOrderBefore"],
            ),
        ],
    )
    # The limits themselves are accepted.
    for placed_at, key in (("1900-01-01T00:00:00Z", "R-first"), ("2199-12-31T23:59:59Z", "R-last")):
        done = (await gql(RECORD_ORDER, order(externalId=key, placedAt=placed_at)))["recordOrder"]
        assert done["created"] and done["order"]["placedAt"] == placed_at


async def test_amounts_quantities_and_ids_the_database_cannot_hold_are_invalid_input(gql, engine) -> None:
    customer, _ = await customer_and_ticket(gql)
    huge_id = base64.urlsafe_b64encode(b"Customer:99999999999999999999").decode().rstrip("=")
    feedback = {"customerId": huge_id, "kind": "CSAT", "score": 5, "channel": "WEB"}
    price = ["input", "lines", "0", "unitPrice"]
    await assert_refused(
        gql,
        engine,
        [
            (RECORD_ORDER, line(quantity=2_000_000_000, unitPrice="99999999999.00"), price),
            (RECORD_ORDER, line(unitPrice="99999999999.00"), price),
            (RECORD_ORDER, line(unitPrice="1e100000"), price),
            (RECORD_ORDER, line(quantity=2_000_000_000, unitPrice="1.00"), ["input", "lines", "0", "quantity"]),
            (RECORD_ORDER, line(quantity=3_000_000_000), ["input", "lines", "0", "quantity"]),  # beyond Int
            # Each line fits, the total does not.
            (RECORD_ORDER, line(quantity=1_000_000, unitPrice="9999999999.99"), ["input", "lines"]),
            (RECORD_ORDER, order(lines=[{**LINE, "unitPrice": "9999999999.99"}] * 2), ["input", "lines"]),
            (FEEDBACK, {"input": feedback}, ["customerId"]),
            (REDEEM, {"id": customer, "points": 2**31, "reason": "gift"}, ["points"]),
            (
                SEGMENT,
                {"input": {"name": "rich", "filter": {"minTotalSpent": "1e30"}}},
                ["input", "filter", "minTotalSpent"],
            ),
            (CUSTOMERS, {"filter": {"minTotalSpent": "1e30"}}, ["filter", "minTotalSpent"]),
        ],
    )
    # The largest order that fits is kept, to the cent.
    done = await gql(RECORD_ORDER, order(externalId="R-max", lines=[{**LINE, "unitPrice": "9999999999.99"}]))
    assert done["recordOrder"]["created"] and done["recordOrder"]["order"]["total"] == "9999999999.99"


async def test_a_bad_profile_field_is_left_out_and_reported(gql) -> None:
    profile = {
        "channel": "APP",
        "externalId": "a-1",
        "displayName": f"Ann{NUL}",
        "email": f"ann{NUL}@example.com",
        "phone": f"13800138000{NUL}",
        "birthDate": "1850-01-01",
        "address": {"city": "Shanghai", "line1": "x" * 301, "district": f"{NUL}"},
    }
    result = (await gql(INGEST, {"input": profile}))["ingestChannelProfile"]
    assert {(e["code"], tuple(e["field"])) for e in result["errors"]} == {
        ("INVALID_INPUT", ("input", "displayName")),
        ("INVALID_INPUT", ("input", "email")),
        ("INVALID_INPUT", ("input", "phone")),
        ("INVALID_INPUT", ("input", "birthDate")),
        ("INVALID_INPUT", ("input", "address", "line1")),
        ("INVALID_INPUT", ("input", "address", "district")),
    }
    assert result["created"] and result["customer"]["displayName"] is None and result["customer"]["phone"] is None


async def test_text_is_held_up_to_its_column_width_and_refused_beyond(gql, engine) -> None:
    consents = [{"purpose": "MARKETING", "granted": True}]
    longest = {"channel": "MINI_PROGRAM", "externalId": "x" * 200, "consents": consents}
    kept = (await gql(INGEST, {"input": longest}))["ingestChannelProfile"]
    assert kept["created"] and kept["errors"] == []  # its key is the consent's source: 213 characters
    await assert_refused(
        gql,
        engine,
        [
            (INGEST, {"input": {**longest, "externalId": "y" * 201}}, ["input", "externalId"]),
            (RECORD_ORDER, order(externalId="o" * 201), ["input", "externalId"]),
            (RECORD_ORDER, line(sku="s" * 101), ["input", "lines", "0", "sku"]),
            (RECORD_ORDER, line(name="n" * 301), ["input", "lines", "0", "name"]),
            (RECORD_ORDER, order(storeCode="c" * 51), ["input", "storeCode"]),
        ],
    )


async def test_a_request_id_the_audit_cannot_hold_is_replaced(gql, engine) -> None:
    """X-Request-Id is written to the audit entries (64 characters): an odd one is replaced."""
    ingest = {"input": {"channel": "WEB", "externalId": "w", "email": "a@example.com"}}
    for given in ("r" * 65, "id with spaces", "line\r\nbreak", "req-42"):
        response = await gql.post(INGEST, ingest, headers={"X-Request-Id": given.replace("\r\n", "%0D%0A")})
        assert response.status_code == 200 and "INTERNAL" not in response.text
    async with engine.connect() as conn:
        ids = set((await conn.execute(select(AuditEntry.request_id))).scalars())
    assert "req-42" in ids and len(ids) == 4
    assert all(i == "req-42" or len(i) == 32 for i in ids)
