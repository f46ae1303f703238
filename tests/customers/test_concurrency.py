"""Profiles of one person ingested at the same moment, over real HTTP to a served app with a
pooled engine, end as one customer: never two, never a deadlock error to a caller."""

from __future__ import annotations

import asyncio
import socket

import httpx
import uvicorn
from sqlalchemy import func, select

from api.app import create_app
from domain.customers.models import Customer
from domain.db import make_engine
from tests.conftest import Api
from tests.customers.identity import INGEST, RECORD_ORDER


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_simultaneous_profiles_of_one_person_make_one_customer(database_url, settings) -> None:
    engine = make_engine(database_url, pool_size=12, max_overflow=4) if "postgresql" in database_url else None
    engine = engine or make_engine(database_url)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, engine), port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # uvicorn offers no "started" event
            if server.started:
                break
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            gql = Api(client)
            for person in range(6):
                phone = f"1370013{person:04d}"
                email = f"person{person}@example.com"
                profiles = [
                    {"channel": "WEB", "externalId": f"w{person}", "email": email},
                    {"channel": "APP", "externalId": f"a{person}", "phone": f"+86 {phone}"},
                    {"channel": "STORE", "externalId": f"s{person}", "phone": phone, "email": email.upper()},
                    {"channel": "MINI_PROGRAM", "externalId": f"m{person}", "phone": f"0086-{phone}"},
                    {"channel": "SOCIAL", "externalId": f"so{person}", "email": f" {email}"},
                    {"channel": "CALL_CENTER", "externalId": f"c{person}", "phone": phone, "email": email},
                ]
                order = {
                    "channel": "WEB",
                    "externalId": f"o{person}",
                    "customerExternalId": f"w{person}",
                    "placedAt": "2026-01-01T00:00:00Z",
                    "lines": [{"sku": "A", "name": "a", "quantity": 1, "unitPrice": "1.00"}],
                }
                requests = [gql(INGEST, {"input": p}) for p in profiles] + [gql(RECORD_ORDER, {"input": order})]
                answers = await asyncio.gather(*requests)
                payloads = [a["ingestChannelProfile"] for a in answers[:-1]]
                assert all(p["errors"] == [] for p in payloads)
                assert answers[-1]["recordOrder"]["errors"] == []
                survivors = set()
                for p in payloads:  # a merged-away id resolves to the survivor
                    found = await gql("query($id: ID!) { customer(id: $id) { id } }", {"id": p["customer"]["id"]})
                    survivors.add(found["customer"]["id"])
                assert len(survivors) == 1, survivors
        async with engine.connect() as conn:
            assert (await conn.execute(select(func.count()).select_from(Customer))).scalar_one() == 6
    finally:
        server.should_exit = True
        await serving
        await engine.dispose()
