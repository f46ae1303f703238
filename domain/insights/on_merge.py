"""The merged-away customers' purchase-day rollup rows go (their orders moved; the survivor's
rows are rebuilt with its order statistics, domain/orders/on_merge.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.customers.merge_handlers import MergeHandler, register
from domain.insights.models import PurchaseDay
from domain.insights.purchase_days import refresh_purchase_days


async def _absorbed(conn: AsyncConnection, _survivor: int, others: Sequence[int]) -> None:
    await refresh_purchase_days(conn, others)


HANDLER = register(MergeHandler("insights", state=(table_of(PurchaseDay),), absorbed=_absorbed))
