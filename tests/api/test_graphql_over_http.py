"""GraphQL over HTTP as the spec and its clients see it: graphql-http's own audit suite (run with
the system node against a live server) passes with no failure and no warning; media types and
status codes of request errors; a document of several operations needs operationName."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import token
from tests.live_server import live_server

AUDIT = Path(__file__).resolve().parent.parent / "node"
GRAPHQL_RESPONSE = "application/graphql-response+json"
TWO_OPERATIONS = "query A { viewer { role } } query B { viewer { subject } }"


async def test_graphql_http_audit_has_no_failure_and_no_warning(engine, settings) -> None:
    node = shutil.which("node")
    assert node, "node is missing (./dev test installs Debian's nodejs)"
    assert (AUDIT / "node_modules" / "graphql-http").is_dir(), "run ./dev test (npm ci in tests/node)"
    headers = json.dumps({"Authorization": f"Bearer {token()}"})
    async with live_server(settings, engine) as base:
        audit = await asyncio.create_subprocess_exec(
            node, str(AUDIT / "audit.mjs"), f"{base}/graphql", headers, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(audit.communicate(), 120)
    assert audit.returncode == 0
    results = [json.loads(line) for line in out.decode().splitlines()]
    assert len(results) >= 60
    not_ok = [r for r in results if r["status"] != "ok"]
    assert not_ok == [], not_ok


async def _post(client, body, accept: str | None) -> tuple[int, str, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token()}"}
    if accept is not None:
        headers["Accept"] = accept
    response = await client.post("/graphql", json=body, headers=headers)
    return response.status_code, response.headers["content-type"], response.json()


@pytest.mark.parametrize(
    ("accept", "status", "media"),
    [
        (GRAPHQL_RESPONSE, 400, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", 400, GRAPHQL_RESPONSE),
        ("application/json", 200, "application/json"),
        (None, 200, "application/json"),
    ],
)
async def test_two_operations_without_a_name_are_a_request_error(client, accept, status, media) -> None:
    got_status, content_type, body = await _post(client, {"query": TWO_OPERATIONS}, accept)
    assert (got_status, content_type.split(";")[0]) == (status, media)
    assert "data" not in body
    assert body["errors"][0]["message"] == "Must provide operation name if query contains multiple operations."


async def test_the_named_operation_of_several_runs(client) -> None:
    for name, field in (("A", "role"), ("B", "subject")):
        status, _, body = await _post(client, {"query": TWO_OPERATIONS, "operationName": name}, GRAPHQL_RESPONSE)
        assert status == 200 and list(body["data"]["viewer"]) == [field]


async def test_request_errors_are_400_with_graphql_response_json(client) -> None:
    cases = [
        {"query": "{ viewer { role "},  # does not parse
        {"query": "{ viewer { nope } }"},  # does not validate
        {"query": "query($n: Int!) { customers(first: $n) { totalCount } }", "variables": {"n": "x"}},
    ]
    for body in cases:
        status, content_type, answer = await _post(client, body, GRAPHQL_RESPONSE)
        assert (status, content_type) == (400, GRAPHQL_RESPONSE) and "data" not in answer, (body, answer)
        legacy_status, _, legacy = await _post(client, body, "application/json")
        assert legacy_status == 200 and "data" not in legacy and legacy["errors"]


async def test_a_field_error_during_execution_is_200_with_data(client) -> None:
    body = {"query": '{ viewer { role } customer(id: "bm90LWFuLWlk") { id } }'}
    status, content_type, answer = await _post(client, body, GRAPHQL_RESPONSE)
    assert (status, content_type) == (200, GRAPHQL_RESPONSE)
    assert answer["data"]["viewer"] == {"role": "ADMIN"}
