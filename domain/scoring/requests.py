"""Requesting score refreshes as jobs (in the caller's transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import utcnow
from domain.errors import InvalidInput
from domain.jobs.requests import request_job

REFRESH_SCORES: Final = "refresh_scores"
FULL_REFRESH_KEY: Final = "refresh-scores:all"
# Orders of one customer within this window share one refresh.
DEBOUNCE: Final = dt.timedelta(seconds=2)
MAX_IDS: Final = 10_000  # customerIds per refresh job


async def request_refresh(
    conn: AsyncConnection,
    customer_ids: Sequence[int] | None = None,
    as_of: dt.datetime | None = None,
    *,
    requested_by: str | None = None,
) -> int:
    """A refresh of every customer (fits the models) or of `customer_ids` (the last model)."""
    params: dict[str, object] = {}
    if as_of is not None:
        params["asOf"] = limits.moment(as_of, ["asOf"]).astimezone(dt.UTC).isoformat()
    if customer_ids is not None:
        if not customer_ids:
            raise InvalidInput("customerIds must not be empty (omit it to refresh everyone)", field=["customerIds"])
        if len(customer_ids) > MAX_IDS:
            raise InvalidInput("at most 10000 customerIds per refresh", field=["customerIds"])
        params["customerIds"] = sorted(set(customer_ids))
    return await request_job(conn, REFRESH_SCORES, params, requested_by=requested_by)


async def request_full_refresh(conn: AsyncConnection, *, requested_by: str | None = None) -> int:
    """A full refresh as of now, merged with one already waiting."""
    return await request_job(conn, REFRESH_SCORES, {}, requested_by=requested_by, dedupe_key=FULL_REFRESH_KEY)


async def request_customer_refresh(conn: AsyncConnection, customer_id: int) -> int:
    """The refresh after an order: debounced, so a burst of orders of one customer costs one run."""
    return await request_job(
        conn,
        REFRESH_SCORES,
        {"customerIds": [customer_id]},
        customer_id=customer_id,
        requested_by="order",
        dedupe_key=f"refresh-scores:customer:{customer_id}",
        not_before=utcnow() + DEBOUNCE,
    )


async def request_customers_refresh(conn: AsyncConnection, customer_ids: Sequence[int]) -> list[int]:
    """The refresh after a batch of orders: one customer's is `request_customer_refresh`; a batch's
    customers share debounced jobs of up to MAX_IDS ids each (the same per-customer refresh with
    the last model, one job instead of one per customer)."""
    ids = sorted(set(customer_ids))
    if len(ids) <= 1:
        return [await request_customer_refresh(conn, c) for c in ids]
    return [
        await request_job(
            conn,
            REFRESH_SCORES,
            {"customerIds": ids[start : start + MAX_IDS]},
            requested_by="orders",
            not_before=utcnow() + DEBOUNCE,
        )
        for start in range(0, len(ids), MAX_IDS)
    ]
