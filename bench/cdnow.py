"""CDNOW purchases as `c360 import orders` JSONL, and a check that the import loads each once.

`CDNOW_master.txt`: customer id, date (YYYYMMDD), number of CDs, dollar value; one header
line. Each purchase becomes one STORE order of one line (sku "CD", quantity 1, unit price = the
dollar value, so the order total is exactly the dollar value; the line's name says how many
CDs). A customer can buy twice on one day: `cdnow-<customer>-<date>-<n>` numbers them.

    python -m bench cdnow [--limit N] [--keep]   # convert, import twice into $DATABASE_URL, check
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson

MASTER = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cdnow" / "CDNOW_master.txt"


def convert(source: Path, target: Path, limit: int | None = None) -> tuple[int, int]:
    """Write one order per purchase line; (orders, distinct customers)."""
    seen: Counter[tuple[str, str]] = Counter()
    customers: set[str] = set()
    written = 0
    with source.open() as src, target.open("wb") as out:
        next(src)  # header
        for raw in src:
            if limit is not None and written >= limit:
                break
            parts = raw.split()
            if not parts:
                continue
            customer, date, cds, dollars = parts
            seen[customer, date] += 1
            customers.add(customer)
            order = {
                "channel": "STORE",
                "externalId": f"cdnow-{customer}-{date}-{seen[customer, date]}",
                "customerExternalId": customer,
                "placedAt": f"{date[:4]}-{date[4:6]}-{date[6:]}T00:00:00Z",
                "currency": "USD",
                "lines": [
                    {"sku": "CD", "name": f"{int(cds)} CD(s)", "quantity": 1, "unitPrice": f"{float(dollars):.2f}"}
                ],
            }
            out.write(orjson.dumps(order) + b"\n")
            written += 1
    return written, len(customers)


async def _counts(url: str) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from domain.customers.models import Customer
    from domain.db import make_engine
    from domain.orders.models import Order

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            orders = (await conn.execute(select(func.count()).select_from(Order))).scalar_one()
            buyers = (await conn.execute(select(func.count(func.distinct(Order.customer_id))))).scalar_one()
            cents = (await conn.execute(select(func.coalesce(func.sum(Customer.total_spent_cents), 0)))).scalar_one()
            return int(orders), int(buyers), int(cents)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench cdnow")
    parser.add_argument("--limit", type=int, help="only the first N purchases")
    parser.add_argument("--source", type=Path, default=MASTER)
    args = parser.parse_args(argv)
    from domain.settings import get_settings

    url = get_settings().database_url
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "cdnow.jsonl"
        orders, customers = convert(args.source, jsonl, args.limit)
        print(f"converted {orders} purchases of {customers} customers")
        for run in (1, 2):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "api.cli", "import", "orders", str(jsonl)], check=True)
            print(f"import {run}: {time.perf_counter() - started:.1f}s wall")
    loaded, buyers, cents = asyncio.run(_counts(url))
    print(f"database: {loaded} orders, {buyers} buying customers, total spent {cents / 100:,.2f}")


if __name__ == "__main__":
    main()
