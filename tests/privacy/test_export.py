"""requestExport: one JSON document with everything held about the customer, masked for the
requester's role, audited, shown only to the requester, and dropped by a later erasure."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from domain.privacy.roles import Role
from jobs.background import run_due_jobs
from resolvers.common.ids import encode_id
from tests.privacy.test_erasure import ERASE, JOB, _known_with_history

EXPORT = """mutation($id: ID!) { requestExport(customerId: $id) { job { id kind status } errors { code } } }"""


async def _export(gql, engine, gid: str, role: Role) -> tuple[str, dict[str, Any]]:
    payload = (await gql(EXPORT, {"id": gid}, role=role, headers={"X-C360-Purpose": "DSAR-7"}))["requestExport"]
    assert payload["errors"] == [], payload
    await run_due_jobs(engine)
    job = (await gql(JOB, {"id": payload["job"]["id"]}, role=role))["job"]
    assert job["status"] == "FINISHED", job
    return payload["job"]["id"], json.loads(job["result"])


async def test_an_admin_export_holds_everything_with_where_each_value_came_from(engine, gql) -> None:
    cid = await _known_with_history(engine)
    _job, doc = await _export(gql, engine, encode_id("Customer", cid), Role.ADMIN)
    fields = doc["customer"]["fields"]
    assert fields["email"]["value"] == "lilei@example.com"
    assert fields["displayName"] == {
        "value": "李雷",
        "from": {"channel": "STORE", "externalId": "00042", "lastSeenAt": "2026-01-01T00:00:00+00:00"},
    }
    assert fields["birthDate"]["value"] == "1990-05-17"
    assert {(p["channel"], p["externalId"]) for p in doc["profiles"]} == {("STORE", "00042"), ("WEB", "w-1")}
    assert {(i["kind"], i["value"]) for i in doc["identifiers"]} >= {
        ("MEMBER_CARD", "VIP001234"),
        ("EXTERNAL_ID", "WEB:w-1"),
    }
    assert doc["orders"][0]["externalId"] == "o-1" and doc["orders"][0]["lines"][0]["sku"] == "SKU-1"
    assert [c["purpose"] for c in doc["consentHistory"]] == ["MARKETING", "THIRD_PARTY_SHARING"]
    assert {"pointsLedger", "tickets", "feedback", "scores", "mergeHistory", "auditTrail", "loyaltyAccount"} <= set(doc)


async def test_a_support_agent_export_follows_its_masking_and_is_audited(engine, gql) -> None:
    cid = await _known_with_history(engine)
    job_id, doc = await _export(gql, engine, encode_id("Customer", cid), Role.SUPPORT_AGENT)
    assert doc["maskedFor"] == "SUPPORT_AGENT"
    assert doc["customer"]["fields"]["email"]["value"] == "lilei@example.com"
    assert doc["customer"]["fields"]["birthDate"]["value"] is None  # SUPPORT_AGENT never sees birth dates
    assert all(p.get("birthDate") is None for p in doc["profiles"])
    async with engine.connect() as conn:
        entry = (await conn.execute(text("SELECT subject, role, purpose, fields, request_id FROM audit_entries"))).one()
    assert entry.subject == "test-support_agent" and entry.role == "SUPPORT_AGENT" and entry.purpose == "DSAR-7"
    fields = entry.fields if isinstance(entry.fields, list) else json.loads(entry.fields)
    assert "Customer.email" in fields and "Customer.birthDate" not in fields
    assert entry.request_id.startswith("job:")
    # Another caller sees the job but not the document.
    assert (await gql(JOB, {"id": job_id}, role=Role.ADMIN))["job"]["result"] is None


async def test_an_erasure_drops_earlier_exports(engine, gql) -> None:
    gid = encode_id("Customer", await _known_with_history(engine))
    job_id, _doc = await _export(gql, engine, gid, Role.ADMIN)
    await gql(ERASE, {"id": gid})
    await run_due_jobs(engine)
    assert (await gql(JOB, {"id": job_id}))["job"]["result"] is None
