"""Automatic persisted queries as Apollo Client sends them: the hash alone first, the query
with its hash when the server does not know it, then the hash alone again (POST and GET); the
texts live in the database, so a process that never saw the query knows it too."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select

from api import persisted_queries
from domain.callers.models import PersistedQuery
from resolvers.execution.documents import Lru
from tests.conftest import token

AUTH = {"Authorization": f"Bearer {token()}"}
QUERY = "query Me { viewer { role } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()


def _apq(sha: str = SHA) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


async def test_the_apollo_handshake_over_post_and_get(client, engine, monkeypatch) -> None:
    monkeypatch.setattr(persisted_queries, "_known", Lru(16))
    unknown = await client.post("/graphql", json={"extensions": _apq(), "operationName": "Me"}, headers=AUTH)
    assert unknown.status_code == 200
    assert unknown.json()["errors"][0] == {
        "message": "PersistedQueryNotFound",
        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
    }
    first = await client.post("/graphql", json={"query": QUERY, "extensions": _apq()}, headers=AUTH)
    assert first.json()["data"] == {"viewer": {"role": "ADMIN"}}
    async with engine.connect() as conn:
        stored = (await conn.execute(select(PersistedQuery.query).where(PersistedQuery.sha256 == SHA))).scalar()
    assert stored == QUERY

    monkeypatch.setattr(persisted_queries, "_known", Lru(16))  # a process that never saw it
    again = await client.post("/graphql", json={"extensions": _apq()}, headers=AUTH)
    assert again.json()["data"] == {"viewer": {"role": "ADMIN"}}
    over_get = await client.get("/graphql", params={"extensions": json.dumps(_apq())}, headers=AUTH)
    assert over_get.status_code == 200 and over_get.json()["data"] == {"viewer": {"role": "ADMIN"}}


async def test_a_hash_that_is_not_the_querys_is_refused(client, engine) -> None:
    wrong = hashlib.sha256(b"something else").hexdigest()
    response = await client.post("/graphql", json={"query": QUERY, "extensions": _apq(wrong)}, headers=AUTH)
    assert response.status_code == 400 and "does not match" in response.json()["errors"][0]["message"]
    for bad in ({"version": 2, "sha256Hash": SHA}, {"version": 1, "sha256Hash": "XYZ"}, "x"):
        refused = await client.post("/graphql", json={"extensions": {"persistedQuery": bad}}, headers=AUTH)
        assert refused.status_code == 400
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(PersistedQuery))).scalar_one() == 0


async def test_a_query_that_does_not_validate_is_not_kept(client, engine) -> None:
    invalid = "{ viewer { nope } }"
    sha = hashlib.sha256(invalid.encode()).hexdigest()
    answered = await client.post("/graphql", json={"query": invalid, "extensions": _apq(sha)}, headers=AUTH)
    assert answered.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    later = await client.post("/graphql", json={"extensions": _apq(sha)}, headers=AUTH)
    assert later.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_caller_without_credentials_learns_nothing(client) -> None:
    response = await client.post("/graphql", json={"query": QUERY, "extensions": _apq()})
    assert response.status_code == 401
