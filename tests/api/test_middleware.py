"""The middleware stack as a browser and a client see it: CORS preflights from allowed and
other origins, X-Request-Id on every response, gzip for large bodies."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import create_app
from tests.conftest import token

ALLOWED = "http://localhost:3000"
AUTH = {"Authorization": f"Bearer {token()}"}


@pytest.fixture
async def cors_client(engine, settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings=dataclasses.replace(settings, cors_origins=(ALLOWED,)), engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c360.test") as c:
        yield c


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_a_preflight_from_an_allowed_origin_is_answered(cors_client) -> None:
    response = await cors_client.options("/graphql", headers=_preflight(ALLOWED))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed


async def test_a_preflight_from_another_origin_gets_no_cors_headers(cors_client) -> None:
    response = await cors_client.options("/graphql", headers=_preflight("http://evil.example"))
    assert response.status_code == 400
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


async def test_a_cross_origin_post_from_an_allowed_origin_is_readable(cors_client) -> None:
    response = await cors_client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={**AUTH, "Origin": ALLOWED}
    )
    assert response.status_code == 200 and response.json()["data"]["viewer"]["role"] == "ADMIN"
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
    other = await cors_client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={**AUTH, "Origin": "http://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


async def test_no_origin_is_allowed_unless_configured(client) -> None:
    response = await client.options("/graphql", headers=_preflight(ALLOWED))
    assert response.status_code != 200 or "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in response.headers


async def test_every_response_carries_a_request_id(client) -> None:
    answered = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers=AUTH)
    refused = await client.post("/graphql", json={"query": "{ viewer { role } }"})
    health = await client.get("/healthz")
    ids = {r.headers["x-request-id"] for r in (answered, refused, health)}
    assert refused.status_code == 401 and len(ids) == 3 and all(len(i) == 32 for i in ids)


async def test_a_callers_request_id_is_echoed_only_when_plain(client) -> None:
    kept = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={**AUTH, "X-Request-Id": "trace-42.a:b"}
    )
    assert kept.headers["x-request-id"] == "trace-42.a:b"
    replaced = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={**AUTH, "X-Request-Id": "x" * 129}
    )
    spaced = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={**AUTH, "X-Request-Id": "a b<script>"}
    )
    for response in (replaced, spaced):
        assert len(response.headers["x-request-id"]) == 32 and "<" not in response.headers["x-request-id"]


async def test_large_responses_are_gzipped_for_clients_that_accept_it(client) -> None:
    from graphql import get_introspection_query

    query = {"query": get_introspection_query(descriptions=True)}
    plain = await client.post("/graphql", json=query, headers={**AUTH, "Accept-Encoding": "identity"})
    zipped = await client.post("/graphql", json=query, headers={**AUTH, "Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3
    assert zipped.json() == plain.json()  # httpx decodes it
    small = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={**AUTH, "Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in small.headers
