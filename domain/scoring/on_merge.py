"""The merged-away customers' scores go; the survivor's are refreshed through the outbox (the
debounced per-customer refresh an order requests, with the model of the last full refresh)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.customers.merge_handlers import MergeHandler, register
from domain.scoring.models import CustomerScore
from domain.scoring.requests import request_customer_refresh

scores = table_of(CustomerScore)


async def _absorbed(conn: AsyncConnection, _survivor: int, others: Sequence[int]) -> None:
    await conn.execute(delete(scores).where(scores.c.customer_id.in_(others)))


async def _merged(conn: AsyncConnection, survivor: int, _others: Sequence[int]) -> None:
    await request_customer_refresh(conn, survivor)


HANDLER = register(MergeHandler("scoring", state=(scores,), absorbed=_absorbed, merged=_merged))
