"""Erasure leaves nothing readable: a whole-database dump (pg_dump on PostgreSQL, every table's
`iterdump` on SQLite) taken after `requestErasure` over GraphQL holds none of the erased
person's values in any stored form, while another person's values are all still there."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import sqlite3
import uuid
from dataclasses import dataclass

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from jobs.background import run_due_jobs
from tests.conftest import Api

INGEST = """mutation($input: ChannelProfileInput!) { ingestChannelProfile(input: $input) {
  customer { id displayName email phone birthDate address { line1 postalCode }
             identifiers { kind value } profiles { channel externalId } }
  merged errors { code field } } }"""
ORDER = """mutation($input: OrderInput!) { recordOrder(input: $input) { created errors { code field } } }"""
TICKET = """mutation($input: TicketInput!) { openTicket(input: $input) { ticket { id } errors { code } } }"""
FEEDBACK = """mutation($input: FeedbackInput!) { submitFeedback(input: $input) { feedback { id } errors { code } } }"""
CONSENT = """mutation($id: ID!, $source: String!) {
  setConsent(customerId: $id, purpose: ANALYTICS, granted: true, source: $source) { errors { code } } }"""
SEGMENT = """mutation($input: SegmentInput!) { createSegment(input: $input) { errors { code } } }"""
EXPORT = """mutation($id: ID!) { requestExport(customerId: $id) { job { id } errors { code } } }"""
ERASE = """mutation($id: ID!) { requestErasure(customerId: $id) { job { id } errors { code } } }"""
JOB = "query($id: ID!) { job(id: $id) { status result } }"
READ = "query($id: ID!) { customer(id: $id) { displayName email phone memberCard: identifiers { value } } }"


@dataclass(frozen=True)
class Person:
    """Values nobody else has: a fresh token, a random mobile number and birth date."""

    token: str
    mobile: str  # 8 digits after 138
    birth: dt.date

    @staticmethod
    def new() -> Person:
        rng = random.Random()
        return Person(
            token=uuid.uuid4().hex[:10],
            mobile=f"{rng.randrange(10**8):08d}",
            birth=dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(25000)),
        )

    @property
    def name(self) -> str:
        return f"艾琳 Erin{self.token}"

    @property
    def email(self) -> str:
        return f"Erin.{self.token}@Example.com"

    @property
    def phone(self) -> str:
        return f"138 {self.mobile[:4]} {self.mobile[4:]}"

    @property
    def card(self) -> str:
        return f"vip-{self.token}"

    @property
    def line1(self) -> str:
        return f"{self.token} Erasure Road 7"

    @property
    def postal(self) -> str:
        return f"PC-{self.token[:6]}"

    @property
    def store_id(self) -> str:
        return f"S-{self.token}"

    @property
    def web_id(self) -> str:
        return f"W-{self.token}"

    def forms(self) -> dict[str, set[str]]:
        """Every form each value may be stored in (input, normalized, JSON-escaped)."""
        return {
            "name": {self.name, json.dumps(self.name)[1:-1]},
            "email": {self.email, self.email.lower()},
            "phone": {self.phone, f"+86138{self.mobile}", f"138{self.mobile}"},
            "card": {self.card, self.card.upper().replace("-", "")},
            "birth": {self.birth.isoformat()},
            "line1": {self.line1},
            "postal": {self.postal},
            "external ids": {self.store_id, self.web_id, f"STORE:{self.store_id}", f"WEB:{self.web_id}"},
        }

    def profile(self, channel: str, external_id: str, **extra: object) -> dict[str, object]:
        return {
            "channel": channel,
            "externalId": external_id,
            "displayName": self.name,
            "email": self.email,
            "phone": self.phone,
            "memberCard": self.card,
            "birthDate": self.birth.isoformat(),
            "address": {"country": "CN", "city": "Beijing", "line1": self.line1, "postalCode": self.postal},
            **extra,
        }


async def _live_with_history(gql: Api, engine: AsyncEngine, person: Person) -> str:
    """The person through every surface that keeps something: an idempotent ingest (a stored
    response), a second profile that merges, consents from a channel and from staff, an order,
    a ticket and feedback naming them, a segment searching for them, an audited read with a
    declared purpose, and an export."""
    first = (
        await gql(
            INGEST,
            {"input": person.profile("STORE", person.store_id, consents=[{"purpose": "MARKETING", "granted": True}])},
            headers={"Idempotency-Key": f"ingest-{person.token}"},
        )
    )["ingestChannelProfile"]
    assert first["errors"] == [] and first["customer"]["email"] == person.email.lower()
    gid = first["customer"]["id"]
    web = {
        "channel": "WEB",
        "externalId": person.web_id,
        "email": person.email.upper(),
        "consents": [{"purpose": "THIRD_PARTY_SHARING", "granted": True}],
    }
    second = (await gql(INGEST, {"input": web}))["ingestChannelProfile"]
    assert second["merged"] is True and second["customer"]["id"] == gid
    line = {"sku": "SKU-1", "name": "Tee", "quantity": 1, "unitPrice": "79.00"}
    order = {"channel": "STORE", "externalId": f"O-{person.token}", "customerExternalId": person.store_id,
             "placedAt": "2026-02-01T10:00:00Z", "lines": [line]}  # fmt: skip
    assert (await gql(ORDER, {"input": order}))["recordOrder"]["created"] is True
    subject = f"Refund for {person.email.lower()}, call {person.phone}"
    ticket = {"customerId": gid, "category": "SERVICE", "channel": "WEB", "subject": subject}
    assert (await gql(TICKET, {"input": ticket}))["openTicket"]["errors"] == []
    comment = f"{person.name} says the parcel for {person.line1} came late"
    feedback = {"customerId": gid, "kind": "CSAT", "score": 2, "channel": "WEB", "comment": comment}
    assert (await gql(FEEDBACK, {"input": feedback}))["submitFeedback"]["errors"] == []
    source = f"call about card {person.card.upper().replace('-', '')}"
    assert (await gql(CONSENT, {"id": gid, "source": source}))["setConsent"]["errors"] == []
    segment = {"name": f"watch {person.token}", "filter": {"search": person.email.lower()}}
    assert (await gql(SEGMENT, {"input": segment}))["createSegment"]["errors"] == []
    await gql(READ, {"id": gid}, headers={"X-C360-Purpose": f"support case of {person.email.lower()}"})
    export = (await gql(EXPORT, {"id": gid}))["requestExport"]["job"]
    await run_due_jobs(engine)
    job = (await gql(JOB, {"id": export["id"]}))["job"]
    assert job["status"] == "FINISHED" and person.email.lower() in job["result"]  # the export holds them
    return str(gid)


async def _dump(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(str(url.database)) as db:
            return "\n".join(db.iterdump())
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    proc = await asyncio.create_subprocess_exec(
        "pg_dump", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres",
        "--no-owner", str(url.database), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


def _found(dump: str, person: Person) -> dict[str, set[str]]:
    folded = dump.casefold()
    return {what: {f for f in forms if f.casefold() in folded} for what, forms in person.forms().items()}


async def test_a_dump_after_erasure_holds_none_of_the_erased_persons_values(gql, engine, database_url) -> None:
    erased, kept = Person.new(), Person.new()
    erased_id = await _live_with_history(gql, engine, erased)
    await _live_with_history(gql, engine, kept)
    before = _found(await _dump(database_url), erased)
    assert all(before.values()), before  # the dump does show values, so the check below can fail

    job = (await gql(ERASE, {"id": erased_id}))["requestErasure"]["job"]
    await run_due_jobs(engine)
    assert (await gql(JOB, {"id": job["id"]}))["job"]["status"] == "FINISHED"

    dump = await _dump(database_url)
    assert {what: forms for what, forms in _found(dump, erased).items() if forms} == {}
    still = _found(dump, kept)
    assert all(still[what] for what in still), still  # the other person is untouched
    assert kept.email.lower() in dump and f"Refund for {kept.email.lower()}" in dump
