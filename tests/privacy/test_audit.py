"""The audit trail: one entry per customer per response with clear values; auditLog pages it;
a read whose audit entry cannot be written answers an error and no data."""

from __future__ import annotations

from sqlalchemy import text

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.privacy.helpers import ingest_known, ingest_person

AUDIT = """query($id: ID, $first: Int, $after: String) { auditLog(customerId: $id, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { subject role purpose customerId fields } } } }"""


async def test_one_entry_per_customer_with_subject_role_purpose_and_request_id(engine, gql) -> None:
    await ingest_known(engine)
    await ingest_person(engine, 1)
    await gql(
        "{ customers(first: 10) { edges { node { email phone profiles { email } } } } }",
        role=Role.SUPPORT_AGENT,
        headers={"X-C360-Purpose": "ticket 42", "X-Request-Id": "req-audit-1"},
    )
    log = (await gql(AUDIT))["auditLog"]
    customers = {e["node"]["customerId"] for e in log["edges"]}
    assert log["totalCount"] == len(customers) == 2
    for edge in log["edges"]:
        node = edge["node"]
        assert node["subject"] == "test-support_agent" and node["role"] == "SUPPORT_AGENT"
        assert node["purpose"] == "ticket 42"
        assert node["fields"] == ["ChannelProfile.email", "Customer.email", "Customer.phone"]
    async with engine.connect() as conn:
        ids = (await conn.execute(text("SELECT DISTINCT request_id FROM audit_entries"))).scalars().all()
    assert ids == ["req-audit-1"]


async def test_masked_reads_and_reads_without_personal_fields_are_not_audited(engine, gql) -> None:
    customer_id = await ingest_known(engine)
    gid = encode_id("Customer", customer_id)
    await gql("query($id: ID!) { customer(id: $id) { email displayName } }", {"id": gid}, role=Role.ANALYST)
    await gql("query($id: ID!) { customer(id: $id) { id createdAt channels } }", {"id": gid})
    assert (await gql(AUDIT))["auditLog"]["totalCount"] == 0


async def test_audit_log_pages_newest_first_and_filters_by_customer(engine, gql) -> None:
    one = encode_id("Customer", await ingest_person(engine, 1))
    two = encode_id("Customer", await ingest_person(engine, 2))
    for n in range(3):
        await gql("query($id: ID!) { customer(id: $id) { email } }", {"id": one}, headers={"X-C360-Purpose": f"p{n}"})
    await gql("query($id: ID!) { customer(id: $id) { phone } }", {"id": two})
    first = (await gql(AUDIT, {"id": one, "first": 2}))["auditLog"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    assert [e["node"]["purpose"] for e in first["edges"]] == ["p2", "p1"]
    rest = (await gql(AUDIT, {"id": one, "first": 2, "after": first["pageInfo"]["endCursor"]}))["auditLog"]
    assert [e["node"]["purpose"] for e in rest["edges"]] == ["p0"] and not rest["pageInfo"]["hasNextPage"]
    everything = (await gql(AUDIT))["auditLog"]
    assert everything["totalCount"] == 4 and everything["edges"][0]["node"]["customerId"] == two


async def test_audit_log_is_admin_only(gql) -> None:
    for role in (Role.SUPPORT_AGENT, Role.MARKETER, Role.ANALYST, Role.PARTNER):
        body = (await gql.post("{ auditLog { totalCount } }", role=role)).json()
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_clear_read_fails_when_its_audit_entry_cannot_be_written(engine, gql) -> None:
    gid = encode_id("Customer", await ingest_known(engine))
    async with engine.begin() as conn:
        await conn.execute(text("DROP TABLE audit_entries"))
    body = (await gql.post("query($id: ID!) { customer(id: $id) { email } }", {"id": gid})).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert "lilei" not in str(body)
    # A read that shows nothing in clear needs no audit entry and still answers.
    masked = await gql("query($id: ID!) { customer(id: $id) { email } }", {"id": gid}, role=Role.ANALYST)
    assert masked["customer"]["email"] == "l***@example.com"


async def test_concurrent_clear_reads_need_one_connection_each(database_url, settings) -> None:
    """The audit entry is written on the request's own connection: more concurrent clear reads
    than the pool holds all answer (a second connection per request would deadlock the pool)."""
    import asyncio

    import httpx

    from api.app import create_app
    from domain.db import make_engine
    from tests.conftest import token

    small = make_engine(database_url, pool_size=2, max_overflow=0, pool_timeout=20)
    try:
        gid = encode_id("Customer", await ingest_known(small))
        app = create_app(settings=settings, engine=small)
        query = {"query": "query($id: ID!) { customer(id: $id) { email } }", "variables": {"id": gid}}
        headers = {"Authorization": f"Bearer {token()}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c360.test") as client:
            responses = await asyncio.wait_for(
                asyncio.gather(*(client.post("/graphql", json=query, headers=headers) for _ in range(8))), 15
            )
        assert all(r.status_code == 200 and r.json()["data"]["customer"]["email"] for r in responses)
        async with small.connect() as conn:
            entries = (await conn.execute(text("SELECT count(*) FROM audit_entries"))).scalar_one()
        assert entries == 8
    finally:
        await small.dispose()
