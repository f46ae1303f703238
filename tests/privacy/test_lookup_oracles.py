"""No lookup unmasks (issue 13 cases 4-5): `customerByIdentifier` and `search` match a customer
only through values the caller reads in clear, so a masked phone or name cannot be recovered by
guessing the hidden part; partners get no introspection and no "Did you mean"."""

from __future__ import annotations

from typing import Any

from domain.privacy.roles import Role

INGEST = """mutation($input: ChannelProfileInput!) { ingestChannelProfile(input: $input) {
  customer { id } errors { code } } }"""
SET_CONSENT = """mutation($id: ID!, $purpose: ConsentPurpose!) {
  setConsent(customerId: $id, purpose: $purpose, granted: true, source: "form") { errors { code } } }"""
BY_PHONE = "query($v: String!) { customerByIdentifier(kind: PHONE, value: $v) { id phone } }"
SEARCH = "query($s: String!) { customers(filter: {search: $s}) { totalCount edges { node { id } } } }"


async def customer(gql: Any, n: int, name: str, phone: str, *, grants: tuple[str, ...] = ()) -> str:
    profile = {"channel": "WEB", "externalId": f"w-{n}", "displayName": name, "phone": phone, "email": f"p{n}@ex.com"}
    payload = (await gql(INGEST, {"input": profile}))["ingestChannelProfile"]
    gid = payload["customer"]["id"]
    for purpose in grants:
        assert (await gql(SET_CONSENT, {"id": gid, "purpose": purpose}))["setConsent"]["errors"] == []
    return gid  # type: ignore[no-any-return]


async def guesses_for_masked_phone(gql: Any, role: Role, masked: str) -> list[str]:
    """The attack: the masked form `+86 138****8000` leaves 4 digits; try candidates for them,
    30 aliases a request, and keep every candidate a lookup answers."""
    head, tail = masked.split("****")
    national = head.split(" ")[1]
    hits: list[str] = []
    candidates = [f"+86{national}{n:04d}{tail}" for n in range(0, 10000, 37)] + ["+8613800138000"]
    for start in range(0, len(candidates), 30):
        chunk = candidates[start : start + 30]
        query = (
            "{ "
            + " ".join(f'c{i}: customerByIdentifier(kind: PHONE, value: "{v}") {{ id }}' for i, v in enumerate(chunk))
            + " }"
        )
        data = await gql(query, role=role)
        hits += [chunk[i] for i in range(len(chunk)) if data[f"c{i}"] is not None]
    return hits


async def test_an_analyst_cannot_recover_a_masked_phone_by_lookups(gql) -> None:
    gid = await customer(gql, 1, "David", "13800138000")
    shown = await gql("query($id: ID!) { customer(id: $id) { phone } }", {"id": gid}, role=Role.ANALYST)
    assert shown["customer"]["phone"] == "+86 138****8000"
    assert await guesses_for_masked_phone(gql, Role.ANALYST, "+86 138****8000") == []
    # The right value itself finds nobody either, while staff who read it in clear find it.
    assert (await gql(BY_PHONE, {"v": "13800138000"}, role=Role.ANALYST))["customerByIdentifier"] is None
    assert (await gql(BY_PHONE, {"v": "13800138000"}, role=Role.SUPPORT_AGENT))["customerByIdentifier"]["id"] == gid
    assert await guesses_for_masked_phone(gql, Role.SUPPORT_AGENT, "+86 138****8000") == ["+8613800138000"]


async def test_a_marketer_finds_only_customers_who_granted_marketing(gql) -> None:
    quiet = await customer(gql, 1, "David", "13800138000")
    open_ = await customer(gql, 2, "Davina", "13900139000", grants=("MARKETING",))
    assert (await gql(BY_PHONE, {"v": "13800138000"}, role=Role.MARKETER))["customerByIdentifier"] is None
    found = (await gql(BY_PHONE, {"v": "13900139000"}, role=Role.MARKETER))["customerByIdentifier"]
    assert found == {"id": open_, "phone": "+8613900139000"}
    listing = (await gql(SEARCH, {"s": "Dav"}, role=Role.MARKETER))["customers"]
    assert listing == {"totalCount": 1, "edges": [{"node": {"id": open_}}]}
    by_phone = (await gql(SEARCH, {"s": "138 0013 8000"}, role=Role.MARKETER))["customers"]
    assert by_phone["totalCount"] == 0
    assert (await gql(SEARCH, {"s": "Dav"}, role=Role.ADMIN))["customers"]["totalCount"] == 2
    assert quiet != open_


async def test_an_analyst_cannot_recover_a_masked_name_by_searching(gql) -> None:
    await customer(gql, 1, "David", "13800138000")
    for prefix in ("D", "Da", "Dav", "Davi", "David", "avi"):
        listing = (await gql(SEARCH, {"s": prefix}, role=Role.ANALYST))["customers"]
        assert listing == {"totalCount": 0, "edges": []}, prefix
    for term in ("13800138000", "p1@ex.com"):
        assert (await gql(SEARCH, {"s": term}, role=Role.ANALYST))["customers"]["totalCount"] == 0
    assert (await gql(SEARCH, {"s": "Dav"}, role=Role.SUPPORT_AGENT))["customers"]["totalCount"] == 1


async def test_segments_match_through_the_viewers_clear_values_only(gql) -> None:
    await customer(gql, 1, "David", "13800138000")
    create = """mutation { createSegment(input: {name: "Davids", filter: {search: "Dav"}}) {
      segment { id } errors { code } } }"""
    segment = (await gql(create, role=Role.ANALYST))["createSegment"]["segment"]["id"]
    count = "query($id: ID!) { node(id: $id) { ... on Segment { memberCount } } }"
    assert (await gql(count, {"id": segment}, role=Role.ANALYST))["node"]["memberCount"] == 0
    assert (await gql(count, {"id": segment}, role=Role.ADMIN))["node"]["memberCount"] == 1


async def test_partners_get_no_introspection_and_no_suggestions(gql) -> None:
    introspect = "{ __schema { types { name } } }"
    refused = (await gql.post(introspect, role=Role.PARTNER)).json()
    assert refused.get("data") is None and "introspection" in refused["errors"][0]["message"].lower()
    assert (await gql.post('{ __type(name: "Customer") { name } }', role=Role.PARTNER)).json()["errors"]
    assert (await gql(introspect, role=Role.ANALYST))["__schema"]["types"]
    assert (await gql("{ __typename }", role=Role.PARTNER)) == {"__typename": "Query"}

    typo = "{ customers { edges { node { birthDat } } } }"
    for role, told in ((Role.PARTNER, False), (Role.ADMIN, True)):
        message = (await gql.post(typo, role=role)).json()["errors"][0]["message"]
        assert ("Did you mean" in message) is told, message
        assert "birthDate" not in message or told
    bad_enum = 'query($k: IdentifierKind!) { customerByIdentifier(kind: $k, value: "x") { id } }'
    for role, told in ((Role.PARTNER, False), (Role.ADMIN, True)):
        response = await gql.post(bad_enum, {"k": "PHON"}, role=role)
        message = response.json()["errors"][0]["message"]
        assert ("Did you mean" in message) is told, message
