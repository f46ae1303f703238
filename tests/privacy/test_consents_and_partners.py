"""setConsent, a withdrawal applying on the very next request, and PARTNER callers seeing only
customers who granted THIRD_PARTY_SHARING (absent from lookups, node, lists and counts)."""

from __future__ import annotations

from sqlalchemy import text

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.privacy.helpers import ingest_known, ingest_person

SET = """mutation($id: ID!, $purpose: ConsentPurpose!, $granted: Boolean!, $source: String!) {
  setConsent(customerId: $id, purpose: $purpose, granted: $granted, source: $source) {
    customer { id email } errors { code message field } } }"""
EMAIL = "query($id: ID!) { customer(id: $id) { email } }"


async def test_a_withdrawal_applies_on_the_next_request(engine, gql) -> None:
    gid = encode_id("Customer", await ingest_known(engine))
    as_marketer = {"role": Role.MARKETER}
    assert (await gql(EMAIL, {"id": gid}, **as_marketer))["customer"]["email"] == "l***@example.com"
    vars_ = {"id": gid, "purpose": "MARKETING", "granted": True, "source": "call-center"}
    payload = (await gql(SET, vars_, role=Role.SUPPORT_AGENT))["setConsent"]
    assert payload["errors"] == [] and payload["customer"] == {"id": gid, "email": "lilei@example.com"}
    assert (await gql(EMAIL, {"id": gid}, **as_marketer))["customer"]["email"] == "lilei@example.com"
    await gql(SET, {**vars_, "granted": False})
    assert (await gql(EMAIL, {"id": gid}, **as_marketer))["customer"]["email"] == "l***@example.com"
    async with engine.connect() as conn:
        history = (await conn.execute(text("SELECT granted, source FROM consent_history ORDER BY id"))).all()
    assert [(bool(g), s) for g, s in history] == [(True, "call-center"), (False, "call-center")]


async def test_set_consent_on_a_merged_away_id_records_on_the_survivor(engine, gql) -> None:
    first = await ingest_person(engine, 1)
    second = await ingest_person(engine, 2, channel="APP")
    from domain.customers.ingest import ProfileData, ingest_profile

    async with engine.begin() as conn:  # one profile with both emails merges the two
        await ingest_profile(conn, ProfileData(channel="STORE", external_id="s", email="user1@example.org"))
        await ingest_profile(conn, ProfileData(channel="STORE", external_id="s", email="user2@example.org"))
    vars_ = {"id": encode_id("Customer", second), "purpose": "ANALYTICS", "granted": True, "source": "form"}
    payload = (await gql(SET, vars_))["setConsent"]
    assert payload["customer"]["id"] == encode_id("Customer", first)
    async with engine.connect() as conn:
        owners = (await conn.execute(text("SELECT customer_id FROM consents WHERE purpose = 'ANALYTICS'"))).all()
    assert owners == [(first,)]


async def test_set_consent_refuses_bad_input_as_payload_errors(gql) -> None:
    unknown = {"id": encode_id("Customer", 999), "purpose": "MARKETING", "granted": True, "source": "x"}
    assert (await gql(SET, unknown))["setConsent"]["errors"][0]["code"] == "NOT_FOUND"
    blank = {**unknown, "source": "  "}
    errors = (await gql(SET, blank))["setConsent"]["errors"]
    assert errors[0]["code"] == "INVALID_INPUT" and errors[0]["field"] == ["source"]


async def _partner_world(engine) -> tuple[str, str]:
    """One customer who granted THIRD_PARTY_SHARING (shared) and one who did not (hidden)."""
    shared = await ingest_person(engine, 1, consents=(("THIRD_PARTY_SHARING", True),))
    hidden = await ingest_person(engine, 2, consents=(("THIRD_PARTY_SHARING", False), ("MARKETING", True)))
    return encode_id("Customer", shared), encode_id("Customer", hidden)


async def test_partner_sees_only_customers_who_share_with_third_parties(engine, gql) -> None:
    shared, hidden = await _partner_world(engine)
    partner = {"role": Role.PARTNER}
    one = "query($id: ID!) { customer(id: $id) { id email } }"
    assert (await gql(one, {"id": shared}, **partner))["customer"] == {"id": shared, "email": "user1@example.org"}
    assert (await gql(one, {"id": hidden}, **partner))["customer"] is None
    by = "query($v: String!) { customerByIdentifier(kind: EMAIL, value: $v) { id } }"
    assert (await gql(by, {"v": "USER1@example.org"}, **partner))["customerByIdentifier"] == {"id": shared}
    assert (await gql(by, {"v": "user2@example.org"}, **partner))["customerByIdentifier"] is None
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await gql(node, {"id": hidden}, **partner))["node"] is None
    assert (await gql(node, {"id": shared}, **partner))["node"] == {"id": shared}
    listing = (await gql("{ customers { totalCount edges { node { id } } } }", **partner))["customers"]
    assert listing == {"totalCount": 1, "edges": [{"node": {"id": shared}}]}
    staff = (await gql("{ customers { totalCount } }", role=Role.ANALYST))["customers"]
    assert staff["totalCount"] == 2


async def test_partner_cannot_reach_a_hidden_customer_through_its_profiles(engine, gql) -> None:
    _shared, hidden = await _partner_world(engine)
    profile_id = (await gql("query($id: ID!) { customer(id: $id) { profiles { id } } }", {"id": hidden}))["customer"][
        "profiles"
    ][0]["id"]
    node = "query($id: ID!) { node(id: $id) { id ... on ChannelProfile { email } } }"
    assert (await gql(node, {"id": profile_id}, role=Role.PARTNER))["node"] is None


async def test_partner_visibility_follows_the_latest_decision(engine, gql) -> None:
    shared, _hidden = await _partner_world(engine)
    await gql(SET, {"id": shared, "purpose": "THIRD_PARTY_SHARING", "granted": False, "source": "app"})
    assert (await gql(EMAIL, {"id": shared}, role=Role.PARTNER))["customer"] is None
    assert (await gql("{ customers { totalCount } }", role=Role.PARTNER))["customers"]["totalCount"] == 0


async def test_a_mutation_payload_with_clear_values_is_audited(engine, gql) -> None:
    gid = encode_id("Customer", await ingest_known(engine))
    vars_ = {"id": gid, "purpose": "MARKETING", "granted": True, "source": "desk"}
    await gql(SET, vars_, role=Role.SUPPORT_AGENT)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT role, fields FROM audit_entries"))).all()
    assert [(r.role, list(r.fields) if isinstance(r.fields, list) else r.fields) for r in rows] in (
        [("SUPPORT_AGENT", ["Customer.email"])],
        [("SUPPORT_AGENT", '["Customer.email"]')],
    )
