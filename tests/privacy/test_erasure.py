"""requestErasure: personal data and identifiers removed from the customer and its profiles,
consents withdrawn, orders kept, keys suppressed (re-ingest is CONFLICT), idempotent, and
nothing recomputed afterwards brings a value back."""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import json

import pytest
from sqlalchemy import text

from domain.customers.ingest import ProfileData, ingest_profile
from domain.customers.survivorship import refresh_customer_fields
from domain.errors import Conflict
from domain.orders.record import LineData, OrderData, record_order
from domain.privacy.roles import Role
from jobs.background import run_due_jobs
from jobs.privacy import erasure_job
from jobs.scoring import refresh_scores
from resolvers.common.ids import encode_id
from tests.privacy.helpers import KNOWN, ingest_known

ERASE = """mutation($id: ID!) { requestErasure(customerId: $id) { job { id kind status } errors { code } } }"""
JOB = "query($id: ID!) { job(id: $id) { status result error } }"
READ = """query($id: ID!) { customer(id: $id) { id displayName email phone birthDate address { country city line1 }
  profiles { channel externalId displayName email phone } identifiers { kind value } } }"""


async def _known_with_history(engine) -> int:
    """KNOWN on STORE plus a WEB profile sharing the email, consents granted, one order."""
    cid = await ingest_known(engine, consents=(("MARKETING", True), ("THIRD_PARTY_SHARING", True)))
    async with engine.begin() as conn:
        await ingest_profile(conn, ProfileData(channel="WEB", external_id="w-1", email="lilei@example.com"))
        line = LineData(sku="SKU-1", name="Tee", quantity=2, unit_price=decimal.Decimal("79.00"))
        when = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
        await record_order(
            conn,
            OrderData(channel="STORE", external_id="o-1", customer_external_id="00042", placed_at=when, lines=(line,)),
        )
    return cid


async def _erase(gql, engine, gid: str) -> dict:  # type: ignore[type-arg]
    payload = (await gql(ERASE, {"id": gid}))["requestErasure"]
    assert payload["errors"] == [] and payload["job"]["status"] == "QUEUED"
    await run_due_jobs(engine)
    job = (await gql(JOB, {"id": payload["job"]["id"]}))["job"]
    assert job["status"] == "FINISHED", job
    return json.loads(job["result"])  # type: ignore[no-any-return]


async def test_erasure_removes_personal_data_and_keeps_orders(engine, gql) -> None:
    cid = await _known_with_history(engine)
    gid = encode_id("Customer", cid)
    result = await _erase(gql, engine, gid)
    assert result["profilesBlanked"] == 2 and result["keysSuppressed"] == 2 and result["consentsWithdrawn"] == 4
    customer = (await gql(READ, {"id": gid}))["customer"]
    assert customer["displayName"] is customer["email"] is customer["phone"] is customer["birthDate"] is None
    assert customer["address"] == {"country": "CN", "city": None, "line1": None}
    assert customer["identifiers"] == []
    assert {(p["channel"], p["displayName"], p["email"], p["phone"]) for p in customer["profiles"]} == {
        ("STORE", None, None, None),
        ("WEB", None, None, None),
    }
    async with engine.connect() as conn:
        orders = (
            await conn.execute(text("SELECT count(*), sum(total_cents) FROM orders WHERE customer_id = :c"), {"c": cid})
        ).one()
        current = (
            await conn.execute(text("SELECT purpose, granted, source FROM consents WHERE customer_id = :c"), {"c": cid})
        ).all()
        dump = " ".join(str(r) for r in (await conn.execute(text("SELECT * FROM channel_profiles"))).all())
        dump += " ".join(str(r) for r in (await conn.execute(text("SELECT * FROM customers"))).all())
    assert tuple(orders) == (1, 15800)
    assert sorted((p, bool(g), s) for p, g, s in current) == [
        (p, False, "erasure") for p in ("ANALYTICS", "MARKETING", "PERSONALIZATION", "THIRD_PARTY_SHARING")
    ]
    for known in ("name", "email", "phone", "card", "line1", "postal"):
        assert KNOWN[known][0] not in dump
    # A PARTNER no longer sees the customer: THIRD_PARTY_SHARING was withdrawn.
    assert (await gql(READ, {"id": gid}, role=Role.PARTNER))["customer"] is None


async def test_erasing_twice_is_harmless(engine, gql) -> None:
    gid = encode_id("Customer", await _known_with_history(engine))
    await _erase(gql, engine, gid)
    async with engine.connect() as conn:
        history = (await conn.execute(text("SELECT count(*) FROM consent_history"))).scalar_one()
    again = await _erase(gql, engine, gid)
    assert again["keysSuppressed"] == again["consentsWithdrawn"] == again["identifiersRemoved"] == 0
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM consent_history"))).scalar_one() == history


async def test_recomputing_after_erasure_brings_nothing_back(engine, gql) -> None:
    cid = await _known_with_history(engine)
    await _erase(gql, engine, encode_id("Customer", cid))
    async with engine.begin() as conn:  # what an ingest or a score refresh recomputes
        await refresh_customer_fields(conn, cid)
        row = (
            await conn.execute(
                text("SELECT display_name, email, phone, erased_at FROM customers WHERE id = :c"), {"c": cid}
            )
        ).one()
    assert row[:3] == (None, None, None) and row[3] is not None


async def test_reingesting_an_erased_profile_is_conflict(engine, gql) -> None:
    cid = await _known_with_history(engine)
    await _erase(gql, engine, encode_id("Customer", cid))
    for channel, external in (("STORE", "00042"), ("WEB", "w-1")):
        async with engine.begin() as conn:
            with pytest.raises(Conflict):
                await ingest_profile(conn, ProfileData(channel=channel, external_id=external, email="x@example.com"))
    body = (
        await gql.post(
            'mutation { ingestChannelProfile(input: {channel: STORE, externalId: "00042", displayName: "李雷"}) '
            "{ customer { id } errors { code field } } }"
        )
    ).json()
    if body.get("errors") and body["errors"][0]["extensions"]["code"] == "NOT_IMPLEMENTED":
        pytest.skip("ingestChannelProfile lands with the identity issue")
    assert body["data"]["ingestChannelProfile"]["errors"][0]["code"] == "CONFLICT"


async def test_erasure_of_an_unknown_customer_is_not_found(gql) -> None:
    payload = (await gql(ERASE, {"id": encode_id("Customer", 424242)}))["requestErasure"]
    assert payload == {"job": None, "errors": [{"code": "NOT_FOUND"}]}


async def test_a_concurrent_score_refresh_brings_nothing_back(engine, gql) -> None:
    cid = await _known_with_history(engine)
    await refresh_scores(engine, 0, {})  # scored once before
    await asyncio.gather(refresh_scores(engine, 0, {}), erasure_job(engine, 0, {"customer_id": cid}))
    await refresh_scores(engine, 0, {"customerIds": [cid]})  # and again after
    customer = (await gql(READ, {"id": encode_id("Customer", cid)}))["customer"]
    assert customer["displayName"] is customer["email"] is customer["phone"] is customer["birthDate"] is None
    assert customer["identifiers"] == [] and all(p["email"] is None for p in customer["profiles"])
    async with engine.connect() as conn:
        scored = (
            await conn.execute(text("SELECT frequency FROM customer_scores WHERE customer_id = :c"), {"c": cid})
        ).scalar_one()
    assert scored == 1  # the anonymized customer keeps its scores: aggregates stay right
