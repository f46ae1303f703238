"""Merge limits, blocked identifiers, staff merges and unmerges, through GraphQL."""

from __future__ import annotations

import dataclasses

import httpx
from sqlalchemy import select

from api.app import create_app
from domain.customers.models import Customer
from domain.orders.models import Order
from domain.privacy.models import ConsentRecord
from domain.privacy.roles import Role
from tests.conftest import Api
from tests.customers.identity import CUSTOMER, MERGE, UNMERGE, ingest, kinds, record


async def test_more_than_five_emails_is_blocked_and_recorded(gql) -> None:
    first = await ingest(gql, channel="APP", externalId="a-0", phone="13500135000", email="e0@example.com")
    for n in range(1, 5):
        await ingest(gql, channel="APP", externalId=f"a-{n}", phone="13500135000", email=f"e{n}@example.com")
    sixth = await ingest(gql, channel="WEB", externalId="w-6", phone="13500135000", email="e6@example.com")
    assert sixth["customer"]["id"] != first["customer"]["id"]
    assert not sixth["merged"]
    blocked = [e for e in sixth["customer"]["mergeHistory"] if e["kind"] == "MERGE_BLOCKED"]
    assert blocked == [{"kind": "MERGE_BLOCKED", "rule": "EMAIL limit", "profileIds": [sixth["profile"]["id"]]}]
    other = (await gql(CUSTOMER, {"id": first["customer"]["id"]}))["customer"]
    assert len([e for e in other["identifiers"] if e["kind"] == "EMAIL"]) == 5
    assert other["mergeHistory"][-1]["kind"] == "MERGE_BLOCKED"


async def test_blocked_merge_joins_the_strongest_match(gql) -> None:
    x = await ingest(gql, channel="STORE", externalId="x1", memberCard="A1", email="x@example.com")
    await ingest(gql, channel="STORE", externalId="x2", memberCard="B2", email="x@example.com")
    y = await ingest(gql, channel="APP", externalId="y1", memberCard="C3", phone="13400134000")
    # Joining both would give one customer three member cards: join the card match only.
    n = await ingest(gql, channel="WEB", externalId="n", memberCard="A1", phone="13400134000")
    assert n["merged"] and n["customer"]["id"] == x["customer"]["id"]
    assert [e["kind"] for e in n["customer"]["mergeHistory"]][-2:] == ["MERGE", "MERGE_BLOCKED"]
    assert n["customer"]["mergeHistory"][-2]["rule"] == "MEMBER_CARD match"
    y_now = (await gql(CUSTOMER, {"id": y["customer"]["id"]}))["customer"]
    assert y_now["id"] == y["customer"]["id"]
    assert y_now["mergeHistory"][-1]["rule"] == "MEMBER_CARD limit"


async def test_blocked_values_are_kept_but_never_match(gql) -> None:
    a = await ingest(gql, channel="WEB", externalId="w", email="test@test.com", phone="13800000000")
    b = await ingest(gql, channel="APP", externalId="a", email="TEST@test.com", phone="138 0000 0000")
    assert a["customer"]["id"] != b["customer"]["id"] and not b["merged"]
    assert b["profile"]["email"] == "test@test.com"  # what the channel sent stays on its profile
    assert b["customer"]["email"] is None and b["customer"]["phone"] is None
    assert kinds(b["customer"]) == {("EXTERNAL_ID", "APP:a")}


async def test_configured_blocked_identifiers(engine, settings) -> None:
    settings = dataclasses.replace(settings, blocked_identifiers="PHONE:021-5555 0000")
    app = create_app(settings=settings, engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c360.test") as client:
        gql = Api(client)
        a = await ingest(gql, channel="STORE", externalId="s1", phone="+86 21 5555 0000")
        b = await ingest(gql, channel="STORE", externalId="s2", phone="021-55550000")
    assert a["customer"]["id"] != b["customer"]["id"]


async def test_staff_merge_keeps_the_target_id(gql) -> None:
    older = await ingest(gql, channel="WEB", externalId="w", email="o@example.com", seenAt="2024-01-01T00:00:00Z")
    younger = await ingest(gql, channel="APP", externalId="a", email="y@example.com", seenAt="2025-01-01T00:00:00Z")
    target, source = younger["customer"]["id"], older["customer"]["id"]
    payload = (await gql(MERGE, {"t": target, "s": source}, role=Role.SUPPORT_AGENT))["mergeCustomers"]
    assert payload["errors"] == [] and payload["customer"]["id"] == target
    assert payload["customer"]["mergeHistory"][-1] == {
        "kind": "MERGE",
        "rule": "MANUAL",
        "profileIds": [older["profile"]["id"]],
    }
    assert (await gql(CUSTOMER, {"id": source}))["customer"]["id"] == target
    again = (await gql(MERGE, {"t": target, "s": source}))["mergeCustomers"]
    assert again["errors"][0]["code"] == "CONFLICT"
    partner = (await gql(MERGE, {"t": target, "s": source}, role=Role.PARTNER))["mergeCustomers"]
    assert partner["errors"][0]["code"] == "FORBIDDEN"


async def test_merging_an_unknown_customer_is_not_found(gql) -> None:
    a = await ingest(gql, channel="WEB", externalId="w", email="o@example.com")
    payload = (await gql(MERGE, {"t": a["customer"]["id"], "s": "Q3VzdG9tZXI6OTk5OTk"}))["mergeCustomers"]
    assert payload["errors"][0]["code"] == "NOT_FOUND" and payload["errors"][0]["field"] == ["sourceId"]


async def test_unmerge_splits_the_profile_with_its_orders_and_consents(gql, engine) -> None:
    web = await ingest(
        gql,
        channel="WEB",
        externalId="w",
        displayName="Zhang Wei",
        email="u@example.com",
        seenAt="2025-01-01T00:00:00Z",
    )
    store = await ingest(
        gql,
        channel="STORE",
        externalId="s",
        displayName="张伟",
        email="u@example.com",
        phone="13300133000",
        seenAt="2025-02-01T00:00:00Z",
        consents=[{"purpose": "MARKETING", "granted": True}],
    )
    survivor = web["customer"]["id"]
    assert store["customer"]["id"] == survivor and store["customer"]["displayName"] == "张伟"
    line = {"sku": "A", "name": "a", "quantity": 1, "unitPrice": "10.00"}
    await record(
        gql, channel="STORE", externalId="o1", customerExternalId="s", placedAt="2025-02-02T00:00:00Z", lines=[line]
    )
    await record(
        gql, channel="WEB", externalId="o2", customerExternalId="w", placedAt="2025-02-03T00:00:00Z", lines=[line, line]
    )

    payload = (await gql(UNMERGE, {"p": store["profile"]["id"]}, role=Role.SUPPORT_AGENT))["unmergeProfile"]
    assert payload["errors"] == []
    split = payload["customer"]
    assert split["id"] != survivor
    assert [p["externalId"] for p in split["profiles"]] == ["s"]
    assert kinds(split) == {("EXTERNAL_ID", "STORE:s"), ("EMAIL", "u@example.com"), ("PHONE", "+8613300133000")}
    assert split["mergeHistory"][-1]["kind"] == "UNMERGE" and split["displayName"] == "张伟"
    left = (await gql(CUSTOMER, {"id": survivor}))["customer"]
    assert kinds(left) == {("EXTERNAL_ID", "WEB:w"), ("EMAIL", "u@example.com")}
    assert left["displayName"] == "Zhang Wei" and left["phone"] is None
    assert left["mergeHistory"][-1] == {"kind": "UNMERGE", "rule": "MANUAL", "profileIds": [store["profile"]["id"]]}

    async with engine.connect() as conn:
        owners = {
            r.external_id: r.customer_id for r in await conn.execute(select(Order.external_id, Order.customer_id))
        }
        stats = {
            r.id: (r.order_count, r.total_spent_cents)
            for r in await conn.execute(select(Customer.id, Customer.order_count, Customer.total_spent_cents))
        }
        consent_owners = set((await conn.execute(select(ConsentRecord.customer_id))).scalars())
    assert owners["o1"] != owners["o2"]
    assert stats[owners["o1"]] == (1, 1000) and stats[owners["o2"]] == (1, 2000)
    assert consent_owners == {owners["o1"]}

    alone = (await gql(UNMERGE, {"p": store["profile"]["id"]}))["unmergeProfile"]
    assert alone["errors"][0]["code"] == "CONFLICT"


async def test_an_unmerged_profile_stays_apart_until_staff_merge_again(gql) -> None:
    web = await ingest(gql, channel="WEB", externalId="w", email="v@example.com", seenAt="2025-01-01T00:00:00Z")
    store = await ingest(gql, channel="STORE", externalId="s", email="v@example.com", phone="13200132000")
    survivor = web["customer"]["id"]
    split = (await gql(UNMERGE, {"p": store["profile"]["id"]}))["unmergeProfile"]["customer"]["id"]
    # The store sends the profile again (changed): it matches the survivor but stays apart.
    again = await ingest(gql, channel="STORE", externalId="s", email="v@example.com", displayName="Vee")
    assert again["customer"]["id"] == split and not again["merged"]
    assert again["customer"]["mergeHistory"][-1]["rule"] == "UNMERGED"
    # A new profile matching both joins one of them (the oldest of the strongest matches).
    third = await ingest(gql, channel="APP", externalId="a", email="v@example.com")
    assert third["customer"]["id"] == survivor and third["merged"]
    # Staff may still decide they are one person.
    merged = (await gql(MERGE, {"t": survivor, "s": split}))["mergeCustomers"]["customer"]
    assert {p["externalId"] for p in merged["profiles"]} == {"w", "s", "a"}
    fourth = await ingest(gql, channel="SOCIAL", externalId="so", phone="13200132000")
    assert fourth["customer"]["id"] == survivor and fourth["merged"]
