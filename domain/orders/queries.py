"""Read-side SQL for orders and their lines (Core statements with bound parameters, built once)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select

from domain.base import key_in, table_of
from domain.orders.models import Order, OrderLine
from domain.paging import PerCustomerPages, by_ids

orders = table_of(Order)
lines = table_of(OrderLine)

ORDER_PAGES = PerCustomerPages(
    orders,
    time_column="placed_at",
    filters={
        "channel": lambda p: orders.c.channel == p,
        "since": lambda p: orders.c.placed_at >= p,
        "until": lambda p: orders.c.placed_at < p,
    },
)
ORDERS_BY_IDS = by_ids(orders)
LINES_BY_ORDER_IDS = select(lines).where(key_in(lines.c.order_id, "ids")).order_by(lines.c.order_id, lines.c.id)


def orders_by_ids(ids: Sequence[int]) -> Select[tuple[object, ...]]:
    """Orders by id with the ids inlined (callers that do not bind `:ids`)."""
    return select(orders).where(orders.c.id.in_(ids))
