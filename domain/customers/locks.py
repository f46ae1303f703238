"""Transaction-scoped locks that keep concurrent identity resolution from splitting a person.

On PostgreSQL two requests ingesting profiles of the same person would each see no match (the
other has not committed yet) and create two customers. Every writer therefore takes advisory
locks on the normalized identifier keys it is about to match on, and on the customers it is
about to change, before reading them; locks are taken in sorted order within each group (keys
first, then customers) so lock waits cannot form a cycle. SQLite serializes writers already
(BEGIN IMMEDIATE), so these are no-ops there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_LOCK = text("SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM unnest(CAST(:keys AS text[])) AS k")


async def lock_keys(conn: AsyncConnection, keys: Iterable[str]) -> None:
    """Block until this transaction holds the advisory lock of every key (released at commit)."""
    if conn.dialect.name != "postgresql":
        return
    ordered = sorted(set(keys))
    if ordered:
        # unnest yields the array in order and the aggregate consumes it in that order.
        await conn.execute(_LOCK, {"keys": ordered})


def identifier_key(kind: str, value: str) -> str:
    return f"id:{kind}:{value}"


def customer_key(customer_id: int) -> str:
    return f"customer:{customer_id}"


def order_key(channel: str, external_id: str) -> str:
    return f"order:{channel}:{external_id}"


async def lock_customers(conn: AsyncConnection, customer_ids: Iterable[int]) -> None:
    await lock_keys(conn, (customer_key(c) for c in customer_ids))
