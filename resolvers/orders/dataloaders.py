"""Request-scoped DataLoaders of the orders area."""

from __future__ import annotations

from domain.orders import queries
from resolvers.common.loaders import ByIdsLoader, CountsByCustomerLoader, PagesByCustomerLoader, RowsByIdsLoader


class OrdersByCustomerLoader(PagesByCustomerLoader):
    pages = queries.ORDER_PAGES


class OrderCountsByCustomerLoader(CountsByCustomerLoader):
    pages = queries.ORDER_PAGES


class OrderByIdLoader(ByIdsLoader):
    query = queries.ORDERS_BY_IDS


class LinesByOrderLoader(RowsByIdsLoader):
    key_field = "order_id"
    query = queries.LINES_BY_ORDER_IDS
