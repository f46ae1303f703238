"""Read-side SQL for orders (Core, bound parameters)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select

from domain.base import table_of
from domain.orders.models import Order

orders = table_of(Order)


def orders_by_ids(ids: Sequence[int]) -> Select[tuple[object, ...]]:
    return select(orders).where(orders.c.id.in_(ids))
