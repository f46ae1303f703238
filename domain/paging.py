"""Per-customer keyset pages in one statement: newest first on (time, id), for many customers at once.

A `PerCustomerPages` numbers each customer's rows with `row_number() over (partition by
customer_id order by time desc, id desc)` after the filters and the `after` cursor and keeps the
first `:limit` of every partition, so `orders(first: 10)` for 50 customers is one statement that
never loads whole histories. Ask for first + 1 rows to learn `hasNextPage`. A first page (no
cursor) also carries `total_count`, the partition's size, so `totalCount` needs no statement of
its own there.

Statements carry bound parameters only (`:customer_ids`, a list: `domain.base.key_in`, `:limit`, `:after_at`,
`:after_id` and one per filter), and each shape (which filters are set, whether there is a
cursor) is built once and reused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, Table, and_, bindparam, func, or_, select

from domain.base import key_in

CUSTOMER_IDS = "customer_ids"
TOTAL = "total_count"  # on the rows of a first page: how many rows the customer has under the filters
Condition = Callable[[BindParameter[Any]], ColumnElement[bool]]
Filters = tuple[tuple[str, Any], ...]  # (name, value) pairs of the filters that are set, sorted


class PerCustomerPages:
    """Pages and counts of one customer-owned table, newest first on `time_column`."""

    def __init__(self, table: Table, *, time_column: str, filters: Mapping[str, Condition]) -> None:
        self.table = table
        self.time = table.c[time_column]
        self.filters = dict(filters)
        self._pages: dict[tuple[tuple[str, ...], bool], Select[tuple[object, ...]]] = {}
        self._counts: dict[tuple[str, ...], Select[tuple[int, int]]] = {}

    @staticmethod
    def filters_of(**values: Any) -> Filters:
        """The hashable form of the filters that are set (None means not set)."""
        return tuple(sorted((k, v) for k, v in values.items() if v is not None))

    def _conditions(self, names: tuple[str, ...]) -> list[ColumnElement[bool]]:
        parent = self.table.c.customer_id
        return [key_in(parent, CUSTOMER_IDS)] + [self.filters[name](bindparam(name)) for name in names]

    def page(
        self, customer_ids: Sequence[int], filters: Filters, after: tuple[dt.datetime, int] | None, limit: int
    ) -> tuple[Select[tuple[object, ...]], dict[str, Any]]:
        """The statement and parameters for `limit` rows per customer, ordered by customer then rank."""
        names = tuple(name for name, _ in filters)
        shape = (names, after is not None)
        stmt = self._pages.get(shape)
        if stmt is None:
            stmt = self._pages[shape] = self._page(names, after is not None)
        params: dict[str, Any] = {CUSTOMER_IDS: list(customer_ids), "limit": limit, **dict(filters)}
        if after is not None:
            params["after_at"], params["after_id"] = after
        return stmt, params

    def _page(self, names: tuple[str, ...], with_after: bool) -> Select[tuple[object, ...]]:
        at, pk = self.time, self.table.c.id
        conditions = self._conditions(names)
        if with_after:
            after_at, after_id = bindparam("after_at", type_=at.type), bindparam("after_id", type_=pk.type)
            conditions.append(or_(at < after_at, and_(at == after_at, pk < after_id)))
        parent = self.table.c.customer_id
        rank = func.row_number().over(partition_by=parent, order_by=(at.desc(), pk.desc()))
        columns: list[Any] = [self.table, rank.label("rank")]
        if not with_after:  # the first page also tells the total under the filters
            columns.append(func.count().over(partition_by=parent).label(TOTAL))
        ranked = select(*columns).where(*conditions).subquery("ranked")
        return select(ranked).where(ranked.c.rank <= bindparam("limit")).order_by(ranked.c.customer_id, ranked.c.rank)

    def count(self, customer_ids: Sequence[int], filters: Filters) -> tuple[Select[tuple[int, int]], dict[str, Any]]:
        """`(customer_id, n)` per customer with at least one matching row."""
        names = tuple(name for name, _ in filters)
        stmt = self._counts.get(names)
        if stmt is None:
            parent = self.table.c.customer_id
            stmt = self._counts[names] = (
                select(parent, func.count().label("n")).where(*self._conditions(names)).group_by(parent)
            )
        return stmt, {CUSTOMER_IDS: list(customer_ids), **dict(filters)}


def by_ids(table: Table, column: str = "id") -> Select[tuple[object, ...]]:
    """Every row of `table` whose `column` is in the list `:ids` (built once per table)."""
    return select(table).where(key_in(table.c[column], "ids"))
