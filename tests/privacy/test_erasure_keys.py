"""Erased keys are kept only as an HMAC keyed with C360_SECRET, and every way in with one of
them (ingestChannelProfile and recordOrder over GraphQL, `c360 import profiles|orders`, the
placeholder an erased profile keeps) answers CONFLICT without writing anything; a stored
idempotent response that held the erased customer replays a notice instead."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid

from alembic import command
from sqlalchemy import func, insert, select, text

from api.migrate import alembic_config, upgrade
from domain.customers.models import ChannelProfile, Customer
from domain.orders.models import Order
from domain.privacy.models import ConsentRecord, SuppressedProfileKey
from domain.privacy.redaction import Redactor
from domain.privacy.roles import Role
from jobs.background import run_due_jobs
from resolvers.common.ids import encode_id
from tests.api.test_import import c360, jsonl
from tests.conftest import SECRET

INGEST = """mutation($input: ChannelProfileInput!) { ingestChannelProfile(input: $input) {
  customer { id email } profile { id } merged created errors { code field } } }"""
ORDER = (
    """mutation($input: OrderInput!) { recordOrder(input: $input) { order { id } created errors { code field } } }"""
)
ERASE = """mutation($id: ID!) { requestErasure(customerId: $id) { job { id } errors { code } } }"""
BEFORE_HASHING = "0008_trust_credential_failures"  # the revision before 0009_trust_erasure_hashed_keys
LINE = {"sku": "SKU-1", "name": "Tee", "quantity": 1, "unitPrice": "10.00"}


def hmac_of(key: str) -> str:
    """The contract's keyed hash, computed here independently of the code under test."""
    message = b"c360 suppressed profile key\x00" + key.encode()
    return hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()


async def _erased_person(gql, engine) -> tuple[str, str, str]:
    """(customer id, STORE external id, WEB external id) of a person erased over GraphQL, who
    had an order before."""
    token = uuid.uuid4().hex[:10]
    store, web = f"S-{token}", f"W-{token}"
    email = f"gone.{token}@example.com"
    first = await gql(INGEST, {"input": {"channel": "STORE", "externalId": store, "email": email}})
    gid = first["ingestChannelProfile"]["customer"]["id"]
    await gql(INGEST, {"input": {"channel": "WEB", "externalId": web, "email": email}})
    order = {"channel": "STORE", "externalId": f"O-{token}", "customerExternalId": store,
             "placedAt": "2026-02-01T10:00:00Z", "lines": [LINE]}  # fmt: skip
    assert (await gql(ORDER, {"input": order}))["recordOrder"]["created"] is True
    assert (await gql(ERASE, {"id": gid}))["requestErasure"]["errors"] == []
    await run_due_jobs(engine)
    return gid, store, web


async def _counts(engine) -> list[int]:
    """How many customers, profiles and orders there are."""
    async with engine.connect() as conn:
        return [
            (await conn.execute(select(func.count()).select_from(model))).scalar_one()
            for model in (Customer, ChannelProfile, Order)
        ]


async def test_the_suppression_keeps_a_keyed_hash_and_profiles_keep_no_key(gql, engine) -> None:
    _, store, web = await _erased_person(gql, engine)
    async with engine.connect() as conn:
        hashes = set((await conn.execute(select(SuppressedProfileKey.key_hash))).scalars())
        keys = {tuple(r) for r in await conn.execute(select(ChannelProfile.channel, ChannelProfile.external_id))}
        sources = set((await conn.execute(text("SELECT source FROM consent_history"))).scalars())
    assert hashes == {hmac_of(f"STORE:{store}"), hmac_of(f"WEB:{web}")}
    assert keys == {("STORE", f"erased:{hmac_of(f'STORE:{store}')}"), ("WEB", f"erased:{hmac_of(f'WEB:{web}')}")}
    assert not any(store in s or web in s for s in sources)


async def test_ingesting_or_ordering_with_an_erased_key_is_conflict(gql, engine) -> None:
    _, store, web = await _erased_person(gql, engine)
    before = await _counts(engine)
    placeholder = f"erased:{hmac_of(f'WEB:{web}')}"
    for channel, external in (("STORE", store), ("WEB", f"  {web} "), ("WEB", placeholder)):
        profile = {"channel": channel, "externalId": external, "email": f"new.{uuid.uuid4().hex}@example.com"}
        payload = (await gql(INGEST, {"input": profile}))["ingestChannelProfile"]
        assert payload["customer"] is None and payload["profile"] is None
        assert payload["errors"] == [{"code": "CONFLICT", "field": ["input", "externalId"]}]
    for order_id in (f"O-new-{uuid.uuid4().hex}", None):  # a new order, and the one recorded before
        order = {"channel": "STORE", "externalId": order_id or f"O-{store[2:]}", "customerExternalId": store,
                 "placedAt": "2026-03-01T10:00:00Z", "lines": [LINE]}  # fmt: skip
        payload = (await gql(ORDER, {"input": order}))["recordOrder"]
        assert payload == {"order": None, "created": False, "errors": [
            {"code": "CONFLICT", "field": ["input", "customerExternalId"]}]}  # fmt: skip
    assert await _counts(engine) == before


async def test_importing_erased_keys_rejects_those_lines_only(gql, engine, database_url, tmp_path) -> None:
    _, store, web = await _erased_person(gql, engine)
    token = uuid.uuid4().hex[:8]
    profiles = jsonl(tmp_path / "profiles.jsonl", [
        {"channel": "STORE", "externalId": store, "displayName": "Back Again"},
        {"channel": "WEB", "externalId": f"fresh-{token}", "email": f"fresh.{token}@example.com"},
        {"channel": "WEB", "externalId": web},
    ])  # fmt: skip
    out = await c360(database_url, tmp_path, "import", "profiles", str(profiles), status=1)
    assert "created 1, updated 0, merged 0, unchanged 0, rejected 2" in out
    assert "line 1: rejected: CONFLICT" in out and "line 3: rejected: CONFLICT" in out
    assert store not in out and web not in out
    order = {"channel": "STORE", "placedAt": "2026-03-01T10:00:00Z", "lines": [LINE]}
    orders = jsonl(tmp_path / "orders.jsonl", [
        {**order, "externalId": f"O-a-{token}", "customerExternalId": store},
        {**order, "externalId": f"O-b-{token}", "customerExternalId": f"buyer-{token}"},
        {**order, "externalId": f"O-{store[2:]}", "customerExternalId": store},  # recorded before the erasure
        {**order, "externalId": f"O-a-{token}", "customerExternalId": f"other-{token}"},  # its first try was refused
    ])  # fmt: skip
    before = await _counts(engine)
    out = await c360(database_url, tmp_path, "import", "orders", str(orders), status=1)
    assert "created 2, updated 0, merged 0, unchanged 0, rejected 2" in out
    assert "line 1: rejected: CONFLICT" in out and "line 3: rejected: CONFLICT" in out
    assert "(input.customerExternalId)" in out
    assert await _counts(engine) == [n + 2 for n in before]
    async with engine.connect() as conn:
        buyers = set(
            (
                await conn.execute(
                    select(Order.external_id).where(Order.placed_at > dt.datetime(2026, 2, 15, tzinfo=dt.UTC))
                )
            ).scalars()
        )
    assert buyers == {f"O-a-{token}", f"O-b-{token}"}


async def test_a_stored_response_of_the_erased_customer_replays_a_notice(gql, engine) -> None:
    token = uuid.uuid4().hex[:10]
    mine = {"channel": "APP", "externalId": f"A-{token}", "email": f"replay.{token}@example.com"}
    other = {"channel": "APP", "externalId": f"B-{token}", "email": f"stays.{token}@example.com"}
    sent = {}
    for name, profile in (("mine", mine), ("other", other)):
        response = await gql.post(INGEST, {"input": profile}, headers={"Idempotency-Key": f"{name}-{token}"})
        sent[name] = response.json()
    gid = sent["mine"]["data"]["ingestChannelProfile"]["customer"]["id"]
    await gql(ERASE, {"id": gid})
    await run_due_jobs(engine)
    again = {}
    for name, profile in (("mine", mine), ("other", other)):
        response = await gql.post(INGEST, {"input": profile}, headers={"Idempotency-Key": f"{name}-{token}"})
        assert response.headers["Idempotent-Replayed"] == "true"
        again[name] = response.json()
    assert mine["email"] not in str(again["mine"]) and mine["externalId"] not in str(again["mine"])
    assert again["mine"]["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert again["other"] == sent["other"]


async def test_the_migration_hashes_keys_suppressed_before_it(engine) -> None:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), BEFORE_HASHING))
        customer_id = (await conn.execute(insert(Customer).values(erased_at=at).returning(Customer.id))).scalar_one()
        await conn.execute(
            insert(ChannelProfile).values(
                customer_id=customer_id, channel="WEB", external_id="WE-00009-520", first_seen_at=at, last_seen_at=at
            )
        )
        await conn.execute(
            insert(ConsentRecord).values(
                customer_id=customer_id,
                purpose="MARKETING",
                granted=False,
                source="WEB:WE-00009-520",
                recorded_at=at,
                trusted=True,
            )
        )
        await conn.execute(
            text(
                "INSERT INTO suppressed_profile_keys (channel, external_id, customer_id, suppressed_at) "
                "VALUES ('WEB', 'WE-00009-520', :c, :t)"
            ),
            {"c": customer_id, "t": at},
        )
    await upgrade(engine)
    digest = hmac_of("WEB:WE-00009-520")
    async with engine.connect() as conn:
        assert (await conn.execute(select(SuppressedProfileKey.key_hash, SuppressedProfileKey.customer_id))).all() == [
            (digest, customer_id)
        ]
        assert (await conn.execute(select(ChannelProfile.external_id))).scalars().all() == [f"erased:{digest}"]
        assert (await conn.execute(text("SELECT source FROM consent_history"))).scalars().all() == [
            f"WEB:erased:{digest}"
        ]


def test_free_text_loses_the_values_however_they_are_written() -> None:
    redactor = Redactor()
    redactor.add_key("STORE", "00042", "erased:abc")
    redactor.add_row({"display_name": "李雷", "email": "lilei@example.com", "phone": "+8613800138000"})
    assert (
        redactor.text("李雷 (LiLei@Example.COM) called from 138-0013-8000")
        == "[erased] ([erased]) called from [erased]"
    )
    assert redactor.text("+86 138 0013 8000, 0086 13800138000, 13800138000") == "[erased], [erased], [erased]"
    assert redactor.text("STORE:00042 asked; card 00042") == "STORE:erased:abc asked; card erased:abc"
    assert redactor.text("order 1380013800099 of 李四") == "order 1380013800099 of 李四"  # other digits, other names
    assert redactor.document({"filter": {"search": "lilei@example.com"}, "n": 3}) == {
        "filter": {"search": "[erased]"},
        "n": 3,
    }


async def test_a_partner_cannot_bring_an_erased_marketplace_buyer_back(gql, engine) -> None:
    token = uuid.uuid4().hex[:10]
    buyer = {"channel": "MARKETPLACE", "externalId": f"M-{token}", "email": f"mp.{token}@example.com"}
    created = (await gql(INGEST, {"input": buyer}, role=Role.PARTNER))["ingestChannelProfile"]
    assert created["errors"] == [] and created["created"] is True
    async with engine.connect() as conn:
        customer_id = (
            await conn.execute(
                select(ChannelProfile.customer_id).where(ChannelProfile.external_id == buyer["externalId"])
            )
        ).scalar_one()
    await gql(ERASE, {"id": encode_id("Customer", customer_id)})
    await run_due_jobs(engine)
    before = await _counts(engine)
    again = (await gql(INGEST, {"input": buyer}, role=Role.PARTNER))["ingestChannelProfile"]
    assert again["errors"] == [{"code": "CONFLICT", "field": ["input", "externalId"]}] and again["profile"] is None
    order = {"channel": "MARKETPLACE", "externalId": f"MO-{token}", "customerExternalId": buyer["externalId"],
             "placedAt": "2026-03-01T10:00:00Z", "lines": [LINE]}  # fmt: skip
    payload = (await gql(ORDER, {"input": order}, role=Role.PARTNER))["recordOrder"]
    assert payload["errors"] == [{"code": "CONFLICT", "field": ["input", "customerExternalId"]}]
    assert payload["order"] is None and await _counts(engine) == before
