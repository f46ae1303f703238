"""What follows the recording of orders, the same on every path that writes them (`record_order`,
the batch of `record_orders` behind `c360 import orders` and the demo seed): the customers' order
statistics and purchase-day rollups, the points and tier rises of loyalty in recording order, and
the debounced score refresh of the customers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.loyalty.earn import earn_for_orders
from domain.orders.stats import refresh_order_stats
from domain.scoring.requests import request_customers_refresh


async def after_orders_recorded(conn: AsyncConnection, order_ids: Sequence[int], customer_ids: Sequence[int]) -> None:
    """`order_ids` in the order they were recorded, `customer_ids` their buyers; the caller holds
    the buyers' locks."""
    customers = sorted(set(customer_ids))
    await refresh_order_stats(conn, customers)
    await earn_for_orders(conn, order_ids)  # domain/loyalty/earn.py
    await request_customers_refresh(conn, customers)  # domain/scoring/requests.py
