"""Inserting customer rows without ever reusing an id.

A merged-away id keeps resolving to its survivor through `customer_redirects`, so it must never
name a new customer. PostgreSQL sequences never go back; SQLite's INTEGER PRIMARY KEY (without
AUTOINCREMENT) hands out max(id) + 1, which reuses the id of a merged-away newest customer. On
SQLite (writers are serialized) ids are therefore allocated above the redirects too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.customers.models import Customer, CustomerRedirect
from domain.db import insert_with_ids

customers = table_of(Customer)
redirects = table_of(CustomerRedirect)


async def insert_customers(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert customer rows; their new ids, in order."""
    if not rows:
        return []
    if conn.dialect.name == "sqlite":
        top = (
            await conn.execute(
                select(
                    func.max(
                        func.coalesce(select(func.max(customers.c.id)).scalar_subquery(), 0),
                        func.coalesce(select(func.max(redirects.c.from_id)).scalar_subquery(), 0),
                    )
                )
            )
        ).scalar_one()
        ids = list(range(int(top) + 1, int(top) + 1 + len(rows)))
        await conn.execute(insert(customers), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
        return ids
    return await insert_with_ids(conn, customers, rows)


async def insert_customer(conn: AsyncConnection, **values: Any) -> int:
    return (await insert_customers(conn, [values]))[0]
