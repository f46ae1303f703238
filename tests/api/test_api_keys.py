"""Partner API keys over HTTP: the key's role applies, a wrong or revoked key is 401, the key is
stored only as an argon2 hash."""

from __future__ import annotations

from sqlalchemy import text

from api.api_keys import create_api_key
from domain.privacy.roles import Role

VIEWER = {"query": "{ viewer { subject role } }"}


async def test_an_api_key_authenticates_with_its_role(engine, client) -> None:
    key = await create_api_key(engine, name="acme", role=Role.PARTNER)
    for _ in range(2):  # the second answer comes from the in-process cache
        response = await client.post("/graphql", json=VIEWER, headers={"X-API-Key": key})
        assert response.status_code == 200
        assert response.json()["data"]["viewer"] == {"subject": "apikey:acme", "role": "PARTNER"}
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT key_hash FROM api_keys"))).scalar_one()
    assert stored.startswith("$argon2") and key not in stored


async def test_a_wrong_key_is_401_with_no_data(engine, client) -> None:
    key = await create_api_key(engine, name="acme", role=Role.PARTNER)
    for wrong in (key[:-2] + "xx", "c360_nope_nope", "not-a-key", key.split("_")[0] + "_" + key.split("_")[1]):
        response = await client.post("/graphql", json=VIEWER, headers={"X-API-Key": wrong})
        assert response.status_code == 401, wrong
        assert "data" not in response.json()


async def test_a_revoked_key_is_401(engine, client) -> None:
    key = await create_api_key(engine, name="gone", role=Role.PARTNER)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP"))
    response = await client.post("/graphql", json=VIEWER, headers={"X-API-Key": key})
    assert response.status_code == 401


async def test_an_api_key_caller_is_masked_like_its_role(engine, client) -> None:
    from resolvers.common.ids import encode_id
    from tests.privacy.helpers import ingest_known

    gid = encode_id("Customer", await ingest_known(engine))
    key = await create_api_key(engine, name="insight-co", role=Role.ANALYST)
    response = await client.post(
        "/graphql",
        json={"query": "query($id: ID!) { customer(id: $id) { email phone } }", "variables": {"id": gid}},
        headers={"X-API-Key": key},
    )
    assert response.json()["data"]["customer"] == {"email": "l***@example.com", "phone": "+86 138****8000"}
