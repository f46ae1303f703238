"""Per-customer order statistics kept on the customer row, and the purchase-day rollup of
`insights` (orders with status RETURNED excluded from both). Every writer of orders calls
`refresh_order_stats` for the customers whose orders changed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.customers.models import Customer
from domain.insights.purchase_days import refresh_purchase_days
from domain.orders.models import Order

_orders = table_of(Order)
_customers = table_of(Customer)


async def refresh_order_stats(conn: AsyncConnection, customer_ids: Sequence[int]) -> None:
    counted = (_orders.c.customer_id == _customers.c.id) & (_orders.c.status != "RETURNED")

    def agg(expr: object) -> object:
        return select(expr).where(counted).scalar_subquery()  # type: ignore[call-overload]

    await conn.execute(
        update(_customers)
        .where(_customers.c.id.in_(customer_ids))
        .values(
            order_count=agg(func.count(_orders.c.id)),
            total_spent_cents=agg(func.coalesce(func.sum(_orders.c.total_cents), 0)),
            first_order_at=agg(func.min(_orders.c.placed_at)),
            last_order_at=agg(func.max(_orders.c.placed_at)),
        )
    )
    await refresh_purchase_days(conn, customer_ids)
