"""Recording a batch of orders with a few set-based statements: the same result as calling
`record_order` on each item in order (first recording of a key wins, an unknown buyer becomes a
profile with no identifier but its key), with what follows an order (statistics, purchase-day
rollups, points, tier rises, the score refresh request: domain/orders/recorded.py) done once
per batch, in recording order (tests/orders/test_write_paths.py compares both paths)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import pair_in, table_of, utcnow
from domain.customers.bulk import ItemResult
from domain.customers.ingest import DEFAULT_RULES, IdentityRules, Outcome
from domain.customers.locks import identifier_key, lock_customers, lock_keys, order_key
from domain.customers.models import ChannelProfile, Customer, Identifier
from domain.customers.new import insert_customers
from domain.db import RetryTransaction, insert_rows, insert_with_ids, plan_each_batch
from domain.errors import DomainError
from domain.orders.models import Order, OrderLine
from domain.orders.record import OrderData, buyer_key, to_cents, validate
from domain.orders.recorded import after_orders_recorded
from domain.privacy.suppression import erased_key_error, suppressed_keys

orders = table_of(Order)
lines = table_of(OrderLine)
profiles = table_of(ChannelProfile)
customers = table_of(Customer)
identifiers = table_of(Identifier)


async def record_orders(
    conn: AsyncConnection, batch: Sequence[OrderData], rules: IdentityRules = DEFAULT_RULES
) -> list[ItemResult]:
    del rules  # buyers made here carry no identifier but their key: nothing to normalize
    await plan_each_batch(conn)
    results = [ItemResult() for _ in batch]
    items = list(batch)  # each item as validated: keys and texts trimmed
    valid = []
    for i, data in enumerate(items):
        try:
            items[i] = validate(data)
            valid.append(i)
        except DomainError as error:
            results[i].error = error
    erased = await suppressed_keys(conn, {buyer_key(items[i]) for i in valid})
    todo: dict[tuple[str, str], int] = {}  # order key -> first item carrying it
    for i in valid:
        data = items[i]
        if buyer_key(data) in erased:
            results[i].error = erased_key_error("customerExternalId")
            continue
        key = (data.channel, data.external_id)
        if key in todo:
            results[i].outcome = Outcome.UNCHANGED  # a repeat inside the batch
        else:
            todo[key] = i
    buyer_of = {i: buyer_key(items[i]) for i in todo.values()}
    await lock_keys(
        conn,
        [order_key(*k) for k in todo] + [identifier_key("EXTERNAL_ID", f"{c}:{e}") for c, e in set(buyer_of.values())],
    )
    if todo:
        for r in await conn.execute(
            select(orders.c.channel, orders.c.external_id, orders.c.customer_id).where(
                pair_in(orders.c.channel, orders.c.external_id, list(todo))
            )
        ):
            i = todo.pop((r.channel, r.external_id))
            results[i].outcome, results[i].customer_id = Outcome.UNCHANGED, r.customer_id
    buyers = await _buyers(conn, {buyer_of[i] for i in todo.values()}, todo, buyer_of, items)
    new = [i for i in todo.values() if results[i].error is None]
    if not new:
        return results
    rows = [
        {
            "customer_id": buyers[buyer_of[i]][1],
            "profile_id": buyers[buyer_of[i]][0],
            "channel": items[i].channel,
            "external_id": items[i].external_id,
            "store_code": items[i].store_code,
            "placed_at": items[i].placed_at,
            "total_cents": items[i].total_cents,
            "currency": items[i].currency,
            "status": items[i].status,
        }
        for i in new
    ]
    order_ids = await insert_with_ids(conn, orders, rows)
    line_rows = []
    for i, order_id in zip(new, order_ids, strict=True):
        customer_id = buyers[buyer_of[i]][1]
        results[i].outcome, results[i].customer_id = Outcome.CREATED, customer_id
        line_rows += [
            {
                "order_id": order_id,
                "customer_id": customer_id,
                "sku": ln.sku,
                "name": ln.name,
                "quantity": ln.quantity,
                "unit_price_cents": to_cents(ln.unit_price),
            }
            for ln in items[i].lines
        ]
    await insert_rows(conn, lines, line_rows)
    await after_orders_recorded(conn, order_ids, [buyers[buyer_of[i]][1] for i in new])
    return results


async def _buyers(
    conn: AsyncConnection,
    wanted: set[tuple[str, str]],
    todo: dict[tuple[str, str], int],
    buyer_of: dict[int, tuple[str, str]],
    items: Sequence[OrderData],
) -> dict[tuple[str, str], tuple[int, int]]:
    """(profile id, customer id) of every buyer, creating the unknown ones (none is erased:
    items with an erased buyer key were rejected before)."""
    if not wanted:
        return {}
    pairs = list(wanted)
    found = {
        (r.channel, r.external_id): (r.id, r.customer_id)
        for r in await conn.execute(
            select(profiles.c.id, profiles.c.customer_id, profiles.c.channel, profiles.c.external_id).where(
                pair_in(profiles.c.channel, profiles.c.external_id, pairs)
            )
        )
    }
    if found:
        await lock_customers(conn, {c for _, c in found.values()})
        again = await conn.execute(
            select(profiles.c.id, profiles.c.customer_id).where(profiles.c.id.in_([p for p, _ in found.values()]))
        )
        if {r.id: r.customer_id for r in again} != dict(found.values()):
            raise RetryTransaction  # a buyer's customer was merged away while we waited
    missing = [k for k in pairs if k not in found]
    if not missing:
        return found
    first_seen: dict[tuple[str, str], dt.datetime] = {}
    for i in sorted(todo.values()):  # the buyer is first seen at its first order, as one by one
        first_seen.setdefault(buyer_of[i], items[i].placed_at)
    now = utcnow()
    customer_ids = await insert_customers(conn, [{"created_at": first_seen[k], "updated_at": now} for k in missing])
    made = dict(zip(missing, customer_ids, strict=True))
    profile_ids = await insert_with_ids(
        conn,
        profiles,
        [
            {
                "customer_id": made[k],
                "channel": k[0],
                "external_id": k[1],
                "first_seen_at": first_seen[k],
                "last_seen_at": first_seen[k],
            }
            for k in missing
        ],
    )
    for k, pid in zip(missing, profile_ids, strict=True):
        found[k] = (pid, made[k])
    await insert_rows(
        conn,
        identifiers,
        [
            {"customer_id": c, "profile_id": p, "kind": "EXTERNAL_ID", "value": f"{k[0]}:{k[1]}", "verified": False}
            for k, (p, c) in found.items()
            if k in made
        ],
    )
    return found
