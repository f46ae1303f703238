"""The HTTP surface: authentication, GraphiQL, health, and errors that never leak internals."""

from __future__ import annotations

from domain.privacy.roles import Role


async def test_request_without_token_is_401(client) -> None:
    response = await client.post("/graphql", json={"query": "{ viewer { role } }"})
    assert response.status_code == 401
    assert "data" not in response.json()


async def test_bad_token_is_401(client) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={"Authorization": "Bearer not-a-jwt"}
    )
    assert response.status_code == 401


async def test_viewer_answers_role_and_subject(gql) -> None:
    data = await gql("{ viewer { role subject } }", role=Role.ANALYST)
    assert data == {"viewer": {"role": "ANALYST", "subject": "test-analyst"}}


async def test_malformed_query_is_a_graphql_error_not_a_trace(gql) -> None:
    response = await gql.post("{ viewer { role ")
    body = response.json()
    assert body["errors"][0]["message"].startswith("Syntax Error")
    assert "Traceback" not in response.text


async def test_unknown_field_error_is_readable(gql) -> None:
    body = (await gql.post("{ viewer { nope } }")).json()
    assert "Cannot query field 'nope'" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_graphiql_loads_for_a_browser_without_a_token(client) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_mutations_are_refused_over_get(client) -> None:
    from tests.conftest import token

    response = await client.get(
        "/graphql",
        params={"query": 'mutation { createSegment(input: {name: "x", filter: {}}) { errors { code } } }'},
        headers={"Authorization": f"Bearer {token()}"},
    )
    assert response.status_code in (400, 405)


async def test_health_and_readiness(client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_metrics_are_prometheus_text(client, gql) -> None:
    await gql("{ viewer { role } }")
    response = await client.get("/metrics")
    assert "c360_graphql_requests_total" in response.text


async def test_graphiql_is_served_from_the_servers_own_files(client) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "default-src 'none'" in policy
    import re

    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("graphiql/") or a.startswith("data:") for a in assets), assets
    for asset in assets:
        if asset.startswith("graphiql/"):
            response = await client.get(f"/{asset}")
            assert response.status_code == 200 and len(response.content) > 100, asset
    vendored = await client.get("/graphiql/vendor/graphiql@3.8.3/graphiql.min.js")
    assert "immutable" in vendored.headers["cache-control"]
    assert (await client.get("/graphiql/vendor/graphiql@3.8.3/LICENSE")).status_code == 200
