"""Loading the CDNOW sample as STORE orders (Core bulk inserts: one customer and profile per buyer)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import table_of
from domain.customers.models import ChannelProfile, Customer
from domain.orders.models import Order

CDNOW = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdnow"
if not CDNOW.exists():
    CDNOW = Path("/work/shared/data/cdnow")
SAMPLE = CDNOW / "CDNOW_sample.txt"
MASTER = CDNOW / "CDNOW_master.txt"
AS_OF = "1997-09-30T00:00:00Z"


def _date(day: str) -> dt.date:
    return dt.date(int(day[:4]), int(day[4:6]), int(day[6:]))


def read_sample() -> list[tuple[str, str, dt.date, int]]:
    """(customer external id, sample id, date, cents) per line."""
    rows = []
    for line in SAMPLE.read_text().splitlines():
        if line.strip():
            cust, sample_id, day, _cds, dollars = line.split()
            rows.append((cust, sample_id, _date(day), round(float(dollars) * 100)))
    return rows


def read_master() -> list[tuple[str, str, dt.date, int]]:
    """The master file in the same shape (its customer id stands in for the sample id)."""
    rows = []
    for line in MASTER.read_text().splitlines()[1:]:
        if line.strip():
            cust, day, _cds, dollars = line.split()
            rows.append((cust, cust, _date(day), round(float(dollars) * 100)))
    return rows


async def import_cdnow(engine: AsyncEngine, rows: list[tuple[str, str, dt.date, int]] | None = None) -> dict[str, int]:
    """Import the sample (or `rows`); returns customer id by the sample's second column (the
    summary files' ID)."""
    rows = read_sample() if rows is None else rows
    first: dict[str, tuple[str, dt.date]] = {}
    for cust, sample_id, date, _ in rows:
        if cust not in first or date < first[cust][1]:
            first[cust] = (sample_id, date)
    ids: dict[str, int] = {}
    async with engine.begin() as conn:
        for cust, (_sample_id, date) in sorted(first.items()):
            at = dt.datetime.combine(date, dt.time(12), dt.UTC)
            cid = (
                await conn.execute(
                    insert(table_of(Customer)).values(created_at=at, updated_at=at).returning(table_of(Customer).c.id)
                )
            ).scalar_one()
            ids[cust] = cid
        profiles = table_of(ChannelProfile)
        await conn.execute(
            insert(profiles),
            [
                {
                    "customer_id": ids[c],
                    "channel": "STORE",
                    "external_id": c,
                    "first_seen_at": dt.datetime(1997, 1, 1, tzinfo=dt.UTC),
                    "last_seen_at": dt.datetime(1997, 1, 1, tzinfo=dt.UTC),
                }
                for c in ids
            ],
        )
        profile_of = {
            r.external_id: r.id for r in (await conn.execute(select(profiles.c.id, profiles.c.external_id))).all()
        }
        await conn.execute(
            insert(table_of(Order)),
            [
                {
                    "customer_id": ids[cust],
                    "profile_id": profile_of[cust],
                    "channel": "STORE",
                    "external_id": f"{cust}-{n}",
                    "placed_at": dt.datetime.combine(date, dt.time(12), dt.UTC),
                    "total_cents": cents,
                    "currency": "USD",
                    "status": "PLACED",
                }
                for n, (cust, _sid, date, cents) in enumerate(rows)
            ],
        )
    return {sample_id: ids[cust] for cust, (sample_id, _d) in first.items()}
