"""Orders follow a merge; the survivor's order statistics (and purchase-day rollups) are rebuilt."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.customers.merge_handlers import MergeHandler, register
from domain.orders.models import Order, OrderLine
from domain.orders.stats import refresh_order_stats


async def _merged(conn: AsyncConnection, survivor: int, _others: Sequence[int]) -> None:
    await refresh_order_stats(conn, [survivor])


HANDLER = register(MergeHandler("orders", follow=(table_of(Order), table_of(OrderLine)), merged=_merged))
