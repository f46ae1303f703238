"""Redeeming points: oldest unexpired points first, never below zero.

Two redemptions of one customer are serialized by locking the customer's loyalty account row
(SELECT ... FOR UPDATE on PostgreSQL; SQLite write transactions are serialized already, see
domain/db.py), so they cannot both spend the same points.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import utcnow
from domain.customers.filters import DEFAULT_TIER
from domain.errors import InsufficientPoints, InvalidInput
from domain.loyalty.queries import accounts, ledger, unexpired_earnings
from domain.privacy.access import customer_for_write
from domain.privacy.roles import Role


def consume_fifo(available: list[tuple[int, int]], points: int) -> list[tuple[int, int]]:
    """Take `points` from (entry id, remaining) pairs in order; returns (entry id, new remaining)
    for the entries touched. The caller checked that enough is available."""
    touched = []
    for entry_id, remaining in available:
        if points <= 0:
            break
        take = min(remaining, points)
        touched.append((entry_id, remaining - take))
        points -= take
    return touched


async def lock_account(conn: AsyncConnection, customer_id: int, now: dt.datetime) -> None:
    """Make sure the account row exists, then lock it for the rest of the transaction."""
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    await conn.execute(
        dialect_insert(accounts)
        .values(customer_id=customer_id, tier_code=DEFAULT_TIER, tier_since=now)
        .on_conflict_do_nothing(index_elements=[accounts.c.customer_id])
    )
    await conn.execute(select(accounts.c.customer_id).where(accounts.c.customer_id == customer_id).with_for_update())


async def redeem_points(
    conn: AsyncConnection, customer_id: int, points: int, reason: str, *, role: Role, now: dt.datetime | None = None
) -> int:
    """Spend `points` as a caller of `role` (NOT_FOUND for a customer it cannot see); writes one
    negative ledger entry and returns the survivor's customer id."""
    now = now or utcnow()
    if points <= 0:
        raise InvalidInput("points must be positive", field=["points"])
    reason = limits.text(reason, ["reason"], max_length=limits.width(ledger.c.reason), required=True)
    customer_id = (await customer_for_write(conn, customer_id, role, field=["customerId"])).id
    await lock_account(conn, customer_id, now)
    available = [(int(r.id), int(r.remaining)) for r in await conn.execute(unexpired_earnings(customer_id, now))]
    if sum(remaining for _, remaining in available) < points:
        raise InsufficientPoints("not enough unexpired points", field=["points"])
    await conn.execute(
        update(ledger).where(ledger.c.id == bindparam("entry_id")).values(remaining=bindparam("left")),
        [{"entry_id": entry_id, "left": left} for entry_id, left in consume_fifo(available, points)],
    )
    await conn.execute(
        insert(ledger).values(customer_id=customer_id, at=now, delta=-points, reason=reason, remaining=0)
    )
    return customer_id
