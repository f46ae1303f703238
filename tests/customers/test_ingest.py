"""ingestChannelProfile and recordOrder through GraphQL: normalization, matching, idempotency."""

from __future__ import annotations

from domain.privacy.roles import Role
from tests.customers.identity import BY_IDENTIFIER, CUSTOMER, INGEST, NODE, ingest, kinds, record


async def test_messy_phones_are_one_person(gql) -> None:
    first = await ingest(gql, channel="WEB", externalId="w-1", phone="+86 13800138000", seenAt="2025-01-01T00:00:00Z")
    second = await ingest(gql, channel="APP", externalId="a-1", phone="0086-138-0013-8000")
    third = await ingest(gql, channel="STORE", externalId="s-1", phone="138 0013 8000")
    assert (first["created"], first["merged"]) == (True, False)
    assert second["merged"] and third["merged"]
    ids = {r["customer"]["id"] for r in (first, second, third)}
    assert ids == {first["customer"]["id"]}
    customer = third["customer"]
    assert customer["phone"] == "+8613800138000"
    assert ("PHONE", "+8613800138000") in kinds(customer)
    assert customer["channels"] == ["WEB", "APP", "STORE"]
    assert [e["rule"] for e in customer["mergeHistory"]] == ["PHONE match", "PHONE match"]


async def test_email_case_and_spaces_match(gql) -> None:
    a = await ingest(gql, channel="WEB", externalId="w-1", email="  Li.Lei@Example.COM ")
    b = await ingest(gql, channel="MINI_PROGRAM", externalId="mp-1", email="li.lei@example.com")
    assert b["customer"]["id"] == a["customer"]["id"] and b["merged"]
    assert b["customer"]["email"] == "li.lei@example.com"
    found = await gql(BY_IDENTIFIER, {"kind": "EMAIL", "value": "LI.LEI@example.com "})
    assert found["customerByIdentifier"]["id"] == a["customer"]["id"]


async def test_invalid_fields_are_rejected_one_by_one_and_the_rest_is_kept(gql) -> None:
    result = await ingest(
        gql, channel="WEB", externalId="w-9", displayName="Ada", email="not-an-email", phone="12", memberCard="VIP-1"
    )
    assert {(e["code"], tuple(e["field"])) for e in result["errors"]} == {
        ("INVALID_INPUT", ("input", "email")),
        ("INVALID_INPUT", ("input", "phone")),
    }
    assert all("not-an-email" not in e["message"] for e in result["errors"])  # never echo the value
    customer = result["customer"]
    assert customer["displayName"] == "Ada" and customer["email"] is None
    assert kinds(customer) == {("EXTERNAL_ID", "WEB:w-9"), ("MEMBER_CARD", "VIP1")}


async def test_empty_external_id_is_invalid_and_writes_nothing(gql) -> None:
    body = (await gql.post(INGEST, {"input": {"channel": "WEB", "externalId": "  ", "email": "a@example.com"}})).json()
    payload = body["data"]["ingestChannelProfile"]
    assert payload["customer"] is None
    assert payload["errors"][0]["code"] == "INVALID_INPUT" and payload["errors"][0]["field"] == ["input", "externalId"]
    assert (await gql(BY_IDENTIFIER, {"kind": "EMAIL", "value": "a@example.com"}))["customerByIdentifier"] is None


async def test_same_input_twice_changes_nothing_and_says_so(gql) -> None:
    profile = {
        "channel": "APP",
        "externalId": "a-7",
        "displayName": "Wei",
        "email": "wei@example.com",
        "consents": [{"purpose": "MARKETING", "granted": True}],
    }
    await ingest(gql, channel="WEB", externalId="w-7", email="wei@example.com", seenAt="2024-01-01T00:00:00Z")
    first = await ingest(gql, **profile)
    second = await ingest(gql, **profile)
    assert first["merged"] and first["created"]  # a new profile, though it joined a customer
    assert (second["merged"], second["created"], second["errors"]) == (False, False, [])
    assert second["customer"] == first["customer"]
    assert second["profile"] == first["profile"]


async def test_role_without_ingest_right_is_forbidden(gql) -> None:
    body = await gql(INGEST, {"input": {"channel": "WEB", "externalId": "x"}}, role=Role.MARKETER)
    assert body["ingestChannelProfile"]["errors"][0]["code"] == "FORBIDDEN"


async def test_order_for_unknown_buyer_creates_the_profile_once(gql) -> None:
    order = {
        "channel": "STORE",
        "externalId": "R-1",
        "customerExternalId": "00042",
        "storeCode": "SH-001",
        "placedAt": "2026-03-01T10:00:00+08:00",
        "lines": [{"sku": "TEE", "name": "Tee", "quantity": 2, "unitPrice": "79.90"}],
    }
    first = await record(gql, **order)
    assert first["created"] and first["errors"] == []
    assert first["order"]["total"] == "159.80" and first["order"]["placedAt"] == "2026-03-01T02:00:00Z"
    again = await record(gql, **order)
    assert not again["created"] and again["order"]["id"] == first["order"]["id"]
    buyer = (await gql(BY_IDENTIFIER, {"kind": "EXTERNAL_ID", "value": "STORE:00042"}))["customerByIdentifier"]
    customer = (await gql(CUSTOMER, {"id": buyer["id"]}))["customer"]
    assert kinds(customer) == {("EXTERNAL_ID", "STORE:00042")}
    # The store later tells us who 00042 is: the same profile, now with a phone.
    later = await ingest(gql, channel="STORE", externalId="00042", phone="13900139000")
    assert later["customer"]["id"] == buyer["id"] and not later["created"]


async def test_bad_order_is_invalid_input(gql) -> None:
    order = {"channel": "WEB", "externalId": "R-2", "customerExternalId": "c", "placedAt": "2026-03-01T10:00:00Z"}
    bad_lines = [
        [],
        [{"sku": "A", "name": "a", "quantity": 0, "unitPrice": "1.00"}],
        [{"sku": "A", "name": "a", "quantity": 1, "unitPrice": "-1"}],
        [{"sku": "A", "name": "a", "quantity": 1, "unitPrice": "1.001"}],
    ]
    for lines in bad_lines:
        payload = await record(gql, **order, lines=lines)
        assert payload["order"] is None and payload["errors"][0]["code"] == "INVALID_INPUT", lines


async def test_merge_into_the_oldest_which_keeps_its_id(gql) -> None:
    old = await ingest(gql, channel="WEB", externalId="w-1", email="a@example.com", seenAt="2024-01-01T00:00:00Z")
    young = await ingest(gql, channel="APP", externalId="a-1", phone="13800138000", seenAt="2025-01-01T00:00:00Z")
    bridge = await ingest(gql, channel="STORE", externalId="s-1", email="a@example.com", phone="+8613800138000")
    old_id, young_id = old["customer"]["id"], young["customer"]["id"]
    assert bridge["merged"] and bridge["customer"]["id"] == old_id
    for query in (CUSTOMER, NODE):
        data = await gql(query, {"id": young_id})
        resolved = data.get("customer") or data.get("node")
        assert resolved["id"] == old_id
        assert resolved["channels"] == ["WEB", "APP", "STORE"]
    history = bridge["customer"]["mergeHistory"]
    assert history[-1]["kind"] == "MERGE" and history[-1]["profileIds"] == [bridge["profile"]["id"]]


async def test_a_profile_seen_earlier_than_the_customer_it_matches_does_not_take_over(gql) -> None:
    known = await ingest(gql, channel="WEB", externalId="w-1", email="b@example.com", seenAt="2025-06-01T00:00:00Z")
    old = await ingest(gql, channel="STORE", externalId="s-1", email="b@example.com", seenAt="2019-01-01T00:00:00Z")
    assert old["customer"]["id"] == known["customer"]["id"]


async def test_transitive_merge_of_three_customers(gql) -> None:
    a = await ingest(gql, channel="WEB", externalId="w", email="t@example.com", seenAt="2024-01-01T00:00:00Z")
    await ingest(gql, channel="APP", externalId="a", phone="13700137000", seenAt="2024-02-01T00:00:00Z")
    await ingest(gql, channel="STORE", externalId="s", memberCard="vip 77", seenAt="2024-03-01T00:00:00Z")
    hub = await ingest(gql, channel="CALL_CENTER", externalId="c", email="t@example.com", phone="13700137000")
    assert hub["customer"]["id"] == a["customer"]["id"]
    final = await ingest(gql, channel="SOCIAL", externalId="so", phone="13700137000", memberCard="VIP-77")
    assert final["customer"]["id"] == a["customer"]["id"]
    assert len(final["customer"]["profiles"]) == 5


async def test_survivorship_takes_the_most_recent_non_empty_value(gql) -> None:
    await ingest(
        gql,
        channel="WEB",
        externalId="w",
        displayName="Old Name",
        email="s@example.com",
        phone="13600136000",
        seenAt="2025-01-01T00:00:00Z",
    )
    newer = await ingest(
        gql,
        channel="APP",
        externalId="a",
        displayName="New Name",
        email="s@example.com",
        seenAt="2025-06-01T00:00:00Z",
    )
    customer = newer["customer"]
    assert customer["displayName"] == "New Name"
    assert customer["phone"] == "+8613600136000"  # only the older profile has one
    stale = await ingest(gql, channel="WEB", externalId="w", displayName="Stale Name", seenAt="2024-01-01T00:00:00Z")
    assert stale["customer"]["displayName"] == "New Name"
    assert stale["profile"]["lastSeenAt"] == "2025-01-01T00:00:00Z"


async def test_consents_latest_decision_per_purpose_wins(gql) -> None:
    def share(granted: bool) -> list[dict[str, object]]:
        return [{"purpose": "THIRD_PARTY_SHARING", "granted": granted}]

    first = await ingest(
        gql, channel="WEB", externalId="w", email="c@example.com", seenAt="2025-01-01T00:00:00Z", consents=share(True)
    )
    cid = first["customer"]["id"]
    partner_view = "query($id: ID!) { customer(id: $id) { id } }"
    assert (await gql(partner_view, {"id": cid}, role=Role.PARTNER))["customer"]["id"] == cid
    # A later withdrawal on another channel of the same person wins ...
    await ingest(
        gql, channel="APP", externalId="a", email="c@example.com", seenAt="2025-03-01T00:00:00Z", consents=share(False)
    )
    assert (await gql(partner_view, {"id": cid}, role=Role.PARTNER))["customer"] is None
    # ... and an older grant arriving late does not undo it.
    await ingest(
        gql, channel="STORE", externalId="s", email="c@example.com", seenAt="2025-02-01T00:00:00Z", consents=share(True)
    )
    assert (await gql(partner_view, {"id": cid}, role=Role.PARTNER))["customer"] is None
    await ingest(
        gql, channel="WEB", externalId="w", email="c@example.com", seenAt="2025-04-01T00:00:00Z", consents=share(True)
    )
    assert (await gql(partner_view, {"id": cid}, role=Role.PARTNER))["customer"]["id"] == cid


async def test_an_over_long_field_is_left_out_and_the_rest_kept(gql) -> None:
    result = await ingest(
        gql, channel="WEB", externalId="long", displayName="N" * 201, phone="13100131000", address={"city": "C" * 101}
    )
    assert {tuple(e["field"]) for e in result["errors"]} == {("input", "displayName"), ("input", "address", "city")}
    assert result["customer"]["displayName"] is None and result["customer"]["phone"] == "+8613100131000"
