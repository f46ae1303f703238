"""A merge tells every area through its handler: the rows follow, the per-customer state is
folded, and the survivor's scores are refreshed through the outbox and its tier raised by the
combined spend (GraphQL over HTTP, both databases)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from domain.customers.merge_handlers import merge_handlers
from domain.customers.resolution import FOLLOW_CUSTOMER
from domain.jobs.requests import jobs
from domain.models import metadata
from domain.scoring.requests import DEBOUNCE
from jobs.background import run_due_jobs
from resolvers.common.ids import decode_id
from tests.customers.identity import MERGE, ingest, record

# Rows that stay with the merged-away id on purpose: who read what (audit), the erased keys, and
# the redirects the customers area keeps itself.
STAY = {"audit_entries", "suppressed_profile_keys", "customer_redirects"}
SCORES = """
query($id: ID!) {
  customer(id: $id) { id loyalty { tier { code } pointsBalance } scores { clv { historic } rfm { frequency } } }
}
"""


def test_every_table_of_a_customer_is_some_areas_business_in_a_merge() -> None:
    handled = {t.name for t in FOLLOW_CUSTOMER}
    for handler in merge_handlers():
        handled |= {t.name for t in handler.follow + handler.state}
    owned = {t.name for t in metadata.sorted_tables if "customer_id" in t.c}
    assert owned - STAY == handled
    assert [h.area for h in merge_handlers()][-1] == "scoring"  # the refresh sees everything else done


async def _settle(engine) -> None:
    """Let the debounced refreshes come due and run every job."""
    await asyncio.sleep(DEBOUNCE.total_seconds() + 0.2)
    await run_due_jobs(engine)


async def test_a_merge_refreshes_the_survivor_and_raises_its_tier(engine, gql) -> None:
    now = dt.datetime.now(dt.UTC)
    a = await ingest(gql, channel="WEB", externalId="w-1", email="ada@example.com")
    b = await ingest(gql, channel="APP", externalId="a-1", phone="13700137000")
    line = [{"sku": "s", "name": "thing", "quantity": 1, "unitPrice": "1200.00"}]
    for ext, channel, buyer, days in (("o1", "WEB", "w-1", 10), ("o2", "APP", "a-1", 5)):
        placed = (now - dt.timedelta(days=days)).isoformat()
        done = await record(gql, channel=channel, externalId=ext, customerExternalId=buyer, placedAt=placed, lines=line)
        assert done["errors"] == []
    await gql("mutation { refreshScores { errors { code } } }")
    await _settle(engine)
    target, source = a["customer"]["id"], b["customer"]["id"]
    before = (await gql(SCORES, {"id": target}))["customer"]
    assert before["loyalty"]["tier"]["code"] == "MEMBER" and before["scores"]["clv"]["historic"] == "1200.00"

    merged = (await gql(MERGE, {"t": target, "s": source}))["mergeCustomers"]
    assert merged["errors"] == []
    survivor = decode_id(target, "Customer")
    async with engine.connect() as conn:
        waiting = (
            await conn.execute(select(jobs.c.params).where(jobs.c.kind == "refresh_scores", jobs.c.status == "QUEUED"))
        ).all()
    assert [r.params for r in waiting] == [{"customerIds": [survivor]}]
    after = (await gql(SCORES, {"id": source}))["customer"]  # the absorbed id leads to the survivor
    assert after["id"] == target
    assert after["loyalty"]["tier"]["code"] == "SILVER"  # 2,400 in the last 365 days, together
    assert after["loyalty"]["pointsBalance"] == 2400
    await _settle(engine)
    scored = (await gql(SCORES, {"id": target}))["customer"]["scores"]
    assert scored["clv"]["historic"] == "2400.00" and scored["rfm"]["frequency"] == 2
