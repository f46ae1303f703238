"""The first read path: customer(id), customers paging and merged ids resolving to survivors."""

from __future__ import annotations

from api.demo_data import seed
from domain.customers.ingest import ProfileData, ingest_profile
from resolvers.common.ids import encode_id


async def _ingest(engine, **kw) -> int:
    async with engine.begin() as conn:
        return (await ingest_profile(conn, ProfileData(**kw))).customer_id


async def test_customer_by_id_with_profiles_and_identifiers(engine, gql) -> None:
    cid = await _ingest(
        engine, channel="WEB", external_id="w-1", display_name="Ada", email=" Ada@Example.COM ", phone="138 0013 8000"
    )
    data = await gql(
        "query($id: ID!) { customer(id: $id) { id displayName email phone channels "
        "profiles { channel externalId } identifiers { kind value } } }",
        {"id": encode_id("Customer", cid)},
    )
    c = data["customer"]
    assert c["email"] == "ada@example.com" and c["phone"] == "+8613800138000"
    assert c["channels"] == ["WEB"]
    assert {(i["kind"], i["value"]) for i in c["identifiers"]} == {
        ("EMAIL", "ada@example.com"),
        ("PHONE", "+8613800138000"),
        ("EXTERNAL_ID", "WEB:w-1"),
    }


async def test_merged_away_id_resolves_to_the_survivor(engine, gql) -> None:
    first = await _ingest(engine, channel="WEB", external_id="w-1", email="a@example.com")
    second = await _ingest(engine, channel="APP", external_id="a-1", phone="+86 13800138000")
    bridge = await _ingest(engine, channel="STORE", external_id="s-1", email="a@example.com", phone="13800138000")
    assert bridge == first  # the oldest survives
    data = await gql("query($id: ID!) { customer(id: $id) { id channels } }", {"id": encode_id("Customer", second)})
    assert data["customer"]["id"] == encode_id("Customer", first)
    assert data["customer"]["channels"] == ["WEB", "APP", "STORE"]


async def test_customers_pages_walk_without_gaps(engine, gql) -> None:
    await seed(engine, customers=12, seed=7)
    seen: list[str] = []
    after = None
    while True:
        data = await gql(
            "query($after: String) { customers(first: 5, after: $after) { totalCount "
            "edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )
        page = data["customers"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]


async def test_first_above_100_is_invalid_input(gql) -> None:
    body = (await gql.post("{ customers(first: 101) { totalCount } }")).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_unknown_customer_is_null(gql) -> None:
    data = await gql("query($id: ID!) { customer(id: $id) { id } }", {"id": encode_id("Customer", 999999)})
    assert data["customer"] is None


async def test_customer_by_identifier_finds_any_format(engine, gql) -> None:
    from domain.privacy.roles import Role

    cid = await _ingest(engine, channel="STORE", external_id="s-9", email="Li@Example.com", phone="13912345670",
                        member_card="vip 0009")  # fmt: skip
    query = "query($k: IdentifierKind!, $v: String!) { customerByIdentifier(kind: $k, value: $v) { id } }"
    expected = {"id": encode_id("Customer", cid)}
    for kind, value in [
        ("EMAIL", "  li@EXAMPLE.com "),
        ("PHONE", "+86 139-1234-5670"),
        ("PHONE", "0086 13912345670"),
        ("MEMBER_CARD", "VIP-0009"),
        ("EXTERNAL_ID", "STORE:s-9"),
    ]:
        assert (await gql(query, {"k": kind, "v": value}))["customerByIdentifier"] == expected, (kind, value)
    assert (await gql(query, {"k": "EMAIL", "v": "nobody@example.com"}))["customerByIdentifier"] is None
    assert (await gql(query, {"k": "EMAIL", "v": "not an email"}))["customerByIdentifier"] is None
    hidden = await gql(query, {"k": "EMAIL", "v": "li@example.com"}, role=Role.PARTNER)
    assert hidden["customerByIdentifier"] is None  # no THIRD_PARTY_SHARING grant
