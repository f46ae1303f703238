"""`Idempotency-Key` on mutations: the same key and body answer the first response again without
running twice; another body with the same key is CONFLICT; keys are scoped by caller."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import text, update

from domain.base import table_of
from domain.callers.models import IdempotencyRecord
from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.conftest import token
from tests.privacy.helpers import ingest_person

idempotency_records = table_of(IdempotencyRecord)
SET = """mutation($id: ID!, $granted: Boolean!) {
  setConsent(customerId: $id, purpose: MARKETING, granted: $granted, source: "retry-test") {
    customer { id } errors { code } } }"""


async def _history(engine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM consent_history"))).scalar_one())


async def test_a_retry_answers_the_first_response_without_running_twice(engine, client) -> None:
    gid = encode_id("Customer", await ingest_person(engine, 1))
    body = {"query": SET, "variables": {"id": gid, "granted": True}}
    headers = {"Authorization": f"Bearer {token(Role.SUPPORT_AGENT)}", "Idempotency-Key": "k-1"}
    first = await client.post("/graphql", json=body, headers=headers)
    again = await client.post("/graphql", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers["Idempotent-Replayed"] == "true"
    assert await _history(engine) == 1

    other = await client.post("/graphql", json={**body, "variables": {"id": gid, "granted": False}}, headers=headers)
    assert other.status_code == 409 and other.json()["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert await _history(engine) == 1

    # Another caller's key of the same name is its own.
    theirs = {"Authorization": f"Bearer {token(Role.ADMIN)}", "Idempotency-Key": "k-1"}
    assert (await client.post("/graphql", json=body, headers=theirs)).status_code == 200
    assert await _history(engine) == 2


async def test_queries_ignore_the_key(engine, client) -> None:
    headers = {"Authorization": f"Bearer {token(Role.ADMIN)}", "Idempotency-Key": "q-1"}
    for _ in range(2):
        response = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers=headers)
        assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM idempotency_records"))).scalar_one() == 0


async def test_concurrent_retries_run_the_mutation_once(engine, client) -> None:
    gid = encode_id("Customer", await ingest_person(engine, 1))
    body = {"query": SET, "variables": {"id": gid, "granted": True}}
    headers = {"Authorization": f"Bearer {token(Role.ADMIN)}", "Idempotency-Key": "k-race"}
    responses = await asyncio.gather(*(client.post("/graphql", json=body, headers=headers) for _ in range(4)))
    assert {r.status_code for r in responses} <= {200, 409} and 200 in {r.status_code for r in responses}
    assert await _history(engine) == 1


async def test_stored_responses_expire(engine, client) -> None:
    gid = encode_id("Customer", await ingest_person(engine, 1))
    body = {"query": SET, "variables": {"id": gid, "granted": True}}
    headers = {"Authorization": f"Bearer {token(Role.ADMIN)}", "Idempotency-Key": "k-old"}
    assert (await client.post("/graphql", json=body, headers=headers)).status_code == 200
    async with engine.begin() as conn:
        await conn.execute(
            update(idempotency_records).values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
        )
    again = await client.post("/graphql", json=body, headers=headers)
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    assert await _history(engine) == 2
