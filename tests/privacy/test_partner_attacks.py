"""The contract's "Trust" rules for partners, tried as an attacker with a PARTNER key would: every
write goes over HTTP with the attacker's role, and what it answers and leaves behind is checked
against what a staff caller sees. Issue 13 cases 1-3."""

from __future__ import annotations

import itertools
from typing import Any

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id

INGEST = """mutation($input: ChannelProfileInput!) { ingestChannelProfile(input: $input) {
  created merged customer { id displayName email phone identifiers { kind value } orders { totalCount } }
  profile { channel externalId displayName email }
  errors { code field } } }"""
ORDER = """mutation($input: OrderInput!) { recordOrder(input: $input) {
  created order { id total customer { id displayName } } errors { code message field } } }"""
CUSTOMER = """query($id: ID!) { customer(id: $id) {
  id displayName email phone orders { totalCount }
  consentHistory { purpose status source } mergeHistory { kind rule } } }"""
SET_CONSENT = """mutation($id: ID!, $purpose: ConsentPurpose!, $granted: Boolean!) {
  setConsent(customerId: $id, purpose: $purpose, granted: $granted, source: "call-center") {
    errors { code } } }"""
_serial = itertools.count(1)


async def ingest(gql: Any, role: Role = Role.ADMIN, **profile: Any) -> dict[str, Any]:
    payload = (await gql(INGEST, {"input": profile}, role=role))["ingestChannelProfile"]
    assert payload["errors"] == [], payload["errors"]
    return payload  # type: ignore[no-any-return]


async def person(gql: Any, *, shares: bool = False, **fields: Any) -> str:
    """A customer the retailer knows from its web shop; `shares`: staff recorded its
    THIRD_PARTY_SHARING grant (so partners may see it)."""
    n = next(_serial)
    payload = await ingest(gql, channel="WEB", externalId=f"w-{n}", displayName=f"Person {n}", **fields)
    gid = payload["customer"]["id"]
    if shares:
        await grant(gql, gid, "THIRD_PARTY_SHARING")
    return gid  # type: ignore[no-any-return]


async def grant(gql: Any, gid: str, purpose: str, granted: bool = True) -> None:
    answer = await gql(SET_CONSENT, {"id": gid, "purpose": purpose, "granted": granted}, role=Role.SUPPORT_AGENT)
    assert answer["setConsent"]["errors"] == []


async def as_partner_sees(gql: Any, gid: str) -> bool:
    return (await gql(CUSTOMER, {"id": gid}, role=Role.PARTNER))["customer"] is not None


async def test_a_partner_cannot_grant_itself_access_to_a_customer(gql) -> None:
    victim = await person(gql, email="victim@example.com", phone="13800138001")
    attack = {
        "channel": "MARKETPLACE",
        "externalId": "m-attack",
        "email": "Victim@Example.com",
        "consents": [{"purpose": "THIRD_PARTY_SHARING", "granted": True}],
    }
    answer = await ingest(gql, Role.PARTNER, **attack)
    # The same answer as for a person nobody knows: the profile only, nothing of the customer.
    stranger = await ingest(gql, Role.PARTNER, **{**attack, "externalId": "m-new", "email": "new@example.com"})
    assert answer["customer"] is None and answer["merged"] is False and answer["created"] is True
    assert {k: v for k, v in answer.items() if k != "profile"} == {k: v for k, v in stranger.items() if k != "profile"}
    assert answer["profile"]["channel"] == "MARKETPLACE" and answer["profile"]["email"] is None
    assert not await as_partner_sees(gql, victim)
    found = "query($v: String!) { customerByIdentifier(kind: EMAIL, value: $v) { id } }"
    assert (await gql(found, {"v": "victim@example.com"}, role=Role.PARTNER))["customerByIdentifier"] is None
    listing = (await gql("{ customers { totalCount edges { node { id } } } }", role=Role.PARTNER))["customers"]
    assert listing == {"totalCount": 0, "edges": []}

    # The decision is kept, with its source, and the profile did join the victim (staff see both).
    staff = (await gql(CUSTOMER, {"id": victim}))["customer"]
    assert {"purpose": "THIRD_PARTY_SHARING", "status": "GRANTED", "source": "MARKETPLACE:m-attack"} in staff[
        "consentHistory"
    ]
    # A staff decision counts; a partner's later withdrawal narrows again, its later grant does not widen.
    await grant(gql, victim, "THIRD_PARTY_SHARING")
    assert await as_partner_sees(gql, victim)
    withdraw = {
        **attack,
        "seenAt": "2099-01-01T00:00:00Z",
        "consents": [{"purpose": "THIRD_PARTY_SHARING", "granted": False}],
    }
    await ingest(gql, Role.PARTNER, **withdraw)
    assert not await as_partner_sees(gql, victim)
    regrant = {
        **withdraw,
        "seenAt": "2099-01-02T00:00:00Z",
        "consents": [{"purpose": "THIRD_PARTY_SHARING", "granted": True}],
    }
    await ingest(gql, Role.PARTNER, **regrant)
    assert not await as_partner_sees(gql, victim)


async def test_only_first_party_admin_ingests_count_for_partner_visibility(gql) -> None:
    shares = [{"purpose": "THIRD_PARTY_SHARING", "granted": True}]
    marketplace = await ingest(gql, channel="MARKETPLACE", externalId="adm-m", email="m@example.com", consents=shares)
    store = await ingest(gql, channel="STORE", externalId="adm-s", email="s@example.com", consents=shares)
    assert not await as_partner_sees(gql, marketplace["customer"]["id"])
    assert await as_partner_sees(gql, store["customer"]["id"])


async def test_a_partner_profile_does_not_merge_strangers(gql) -> None:
    a = await person(gql, shares=True, email="anna@example.com")
    b = await person(gql, shares=True, phone="13900139002")
    before = {gid: (await gql(CUSTOMER, {"id": gid}))["customer"]["displayName"] for gid in (a, b)}
    answer = await ingest(
        gql, Role.PARTNER, channel="MARKETPLACE", externalId="m-both", displayName="Mallory",
        email="anna@example.com", phone="+86 139 0013 9002",
    )  # fmt: skip
    assert answer["merged"] is True and answer["customer"]["id"] == b  # its strongest match only: the phone
    for gid in (a, b):  # both still exist as themselves; A was not renamed
        customer = (await gql(CUSTOMER, {"id": gid}))["customer"]
        assert customer["id"] == gid
        assert {"kind": "MERGE_BLOCKED", "rule": "UNTRUSTED_SOURCE"} in customer["mergeHistory"]
    assert (await gql(CUSTOMER, {"id": a}))["customer"]["displayName"] == before[a]
    assert (await gql("{ customers { totalCount } }"))["customers"]["totalCount"] == 2

    # In two steps: a profile that joined A cannot bring B in later either.
    await ingest(gql, Role.PARTNER, channel="MARKETPLACE", externalId="m-step", email="anna@example.com")
    await ingest(
        gql, Role.PARTNER, channel="MARKETPLACE", externalId="m-step", email="anna@example.com",
        phone="13900139002", seenAt="2099-01-01T00:00:00Z",
    )  # fmt: skip
    for gid in (a, b):
        assert (await gql(CUSTOMER, {"id": gid}))["customer"]["id"] == gid
    assert (await gql("{ customers { totalCount } }"))["customers"]["totalCount"] == 2


async def test_a_staff_ingest_still_merges_what_a_partner_may_not(gql) -> None:
    a = await person(gql, email="carl@example.com")
    b = await person(gql, phone="13700137003")
    answer = await ingest(gql, channel="STORE", externalId="s-both", email="carl@example.com", phone="13700137003")
    assert answer["merged"] is True and answer["customer"]["id"] == a
    assert (await gql(CUSTOMER, {"id": b}))["customer"]["id"] == a


async def test_writes_to_customers_a_partner_cannot_see_reveal_nothing(gql) -> None:
    hidden = await person(gql, email="hidden@example.com")
    await ingest(gql, channel="MARKETPLACE", externalId="buyer-hidden", email="hidden@example.com")
    missing = encode_id("Customer", 987654)
    feedback = """mutation($id: ID!) { submitFeedback(input: {customerId: $id, kind: CSAT, score: 9,
      channel: MARKETPLACE}) { feedback { id } errors { code message field } } }"""
    points = """mutation($id: ID!) { redeemPoints(customerId: $id, points: 1000000, reason: "probe") {
      account { pointsBalance } errors { code message field } } }"""
    for mutation, name in ((feedback, "submitFeedback"), (points, "redeemPoints")):
        on_hidden = (await gql(mutation, {"id": hidden}, role=Role.PARTNER))[name]
        on_missing = (await gql(mutation, {"id": missing}, role=Role.PARTNER))[name]
        assert on_hidden["errors"][0]["code"] == "NOT_FOUND"
        assert on_hidden == on_missing
    staff = await gql("query($id: ID!) { customer(id: $id) { feedback { totalCount } } }", {"id": hidden})
    assert staff["customer"]["feedback"]["totalCount"] == 0

    # An order for the hidden buyer is kept (a till never loses a sale) and answers no order.
    order = {
        "channel": "MARKETPLACE",
        "externalId": "o-hidden",
        "customerExternalId": "buyer-hidden",
        "placedAt": "2026-11-01T10:00:00Z",
        "lines": [{"sku": "SKU-1", "name": "Tea", "quantity": 2, "unitPrice": "30.00"}],
    }
    answer = (await gql(ORDER, {"input": order}, role=Role.PARTNER))["recordOrder"]
    new_buyer = (
        await gql(ORDER, {"input": {**order, "externalId": "o-new", "customerExternalId": "nobody"}}, role=Role.PARTNER)
    )["recordOrder"]
    assert answer == new_buyer == {"created": True, "order": None, "errors": []}
    assert (await gql(CUSTOMER, {"id": hidden}))["customer"]["orders"]["totalCount"] == 1


async def test_staff_only_writes_on_hidden_customers_are_not_partners_to_make(gql) -> None:
    hidden = await person(gql)
    answer = await gql(
        SET_CONSENT, {"id": hidden, "purpose": "THIRD_PARTY_SHARING", "granted": True}, role=Role.PARTNER
    )
    assert answer["setConsent"]["errors"] == [{"code": "FORBIDDEN"}]
    assert not await as_partner_sees(gql, hidden)
