"""Apollo Client 4 (run with the system node) against a live server: with the typePolicies that
docs/clients.md gives (docs/apollo-type-policies.mjs), a second query selecting other fields of
a customer's OrderStats and LoyaltyAccount merges into the cache, so the first query is still
complete there; without them Apollo replaces those objects and the first query is lost."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from api.demo_data import seed
from jobs.loyalty import loyalty_daily
from resolvers.common.ids import encode_id
from tests.conftest import token
from tests.live_server import live_server

NODE_TOOLS = Path(__file__).resolve().parent.parent / "node"
DOCS = Path(__file__).resolve().parents[2] / "docs"


async def _apollo(base: str, customer: str, mode: str) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node is missing (./dev test installs Debian's nodejs)"
    assert (NODE_TOOLS / "node_modules" / "@apollo" / "client").is_dir(), "run ./dev test (npm ci in tests/node)"
    run = await asyncio.create_subprocess_exec(
        node, str(NODE_TOOLS / "apollo_cache.mjs"), f"{base}/graphql", token(), customer, mode,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(run.communicate(), 120)
    assert run.returncode == 0, err.decode()[-2000:]
    return json.loads(out)  # type: ignore[no-any-return]


async def test_the_documented_type_policies_merge_customer_values(engine, settings) -> None:
    await seed(engine, customers=3, seed=5)
    # The daily loyalty job (expiry, tier evaluation) runs at once in a new server's embedded
    # loop; run it first, so it cannot change the values between the two queries.
    await loyalty_daily(engine, 0, {})
    customer = encode_id("Customer", 1)
    async with live_server(settings, engine) as base:
        merged = await _apollo(base, customer, "policies")
        replaced = await _apollo(base, customer, "none")
    assert merged["first"]["customer"]["orderStats"]["orderCount"] >= 0
    assert merged["cached"] == merged["first"]
    assert replaced["cached"] is None  # what the policies are for


def test_the_docs_show_the_policies_the_test_uses() -> None:
    policies = (DOCS / "apollo-type-policies.mjs").read_text()
    guide = (DOCS / "clients.md").read_text()
    for name in ("OrderStats", "LoyaltyAccount", "Scores", "Rfm", "Clv", "Address"):
        assert f"{name}: {{ merge: true }}" in policies and f"{name}: {{ merge: true }}" in guide
    assert 'Tier: { keyFields: ["code"] }' in policies and 'Tier: { keyFields: ["code"] }' in guide
