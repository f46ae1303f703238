"""Base DataLoaders: one SQL statement per batch of keys, results aligned with the keys.

Subclasses name what they load (`<Thing>By<Key>Loader`) and give the statement; SQL itself
lives in `domain/<area>/queries.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Executable, Row
from strawberry.dataloader import DataLoader

from domain.paging import TOTAL, Filters, PerCustomerPages

if TYPE_CHECKING:
    from resolvers.context import Context


class _SqlLoader(DataLoader[Any, Any]):
    key_field = "customer_id"

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx

    def statement(self, keys: Sequence[Any]) -> Executable:
        raise NotImplementedError

    def params(self, keys: Sequence[Any]) -> dict[str, Any] | None:
        """Bound parameters for `statement` (statements built once bind `:ids`)."""
        return None

    def key_of(self, row: Row[Any]) -> Hashable:
        return getattr(row, self.key_field)  # type: ignore[no-any-return]

    async def _batch(self, keys: list[Any]) -> list[Any]:
        raise NotImplementedError


class RowsByKeyLoader(_SqlLoader):
    """Loads every row for each key (a list per key, empty when none)."""

    async def _batch(self, keys: list[Any]) -> list[Any]:
        grouped: dict[Hashable, list[Row[Any]]] = {key: [] for key in keys}
        for row in await self.ctx.rows(self.statement(keys), self.params(keys)):
            grouped[self.key_of(row)].append(row)
        return [grouped[key] for key in keys]


class RowByKeyLoader(_SqlLoader):
    """Loads at most one row for each key (None when absent)."""

    async def _batch(self, keys: list[Any]) -> list[Any]:
        found = {self.key_of(row): row for row in await self.ctx.rows(self.statement(keys), self.params(keys))}
        return [found.get(key) for key in keys]


class ByIdsLoader(RowByKeyLoader):
    """A RowByKeyLoader over a statement built once that binds the keys as `:ids`."""

    key_field = "id"
    query: ClassVar[Executable]

    def statement(self, keys: Sequence[Any]) -> Executable:
        return self.query

    def params(self, keys: Sequence[Any]) -> dict[str, Any] | None:
        return {"ids": list(keys)}


class RowsByIdsLoader(RowsByKeyLoader):
    """A RowsByKeyLoader over a statement built once that binds the keys as `:ids`."""

    query: ClassVar[Executable]

    def statement(self, keys: Sequence[Any]) -> Executable:
        return self.query

    def params(self, keys: Sequence[Any]) -> dict[str, Any] | None:
        return {"ids": list(keys)}


PageKey = tuple[int, int, Any, Filters]  # (customer_id, rows wanted, after cursor or None, filters)
CountKey = tuple[int, Filters]


class PagesByCustomerLoader(DataLoader[PageKey, list[Row[Any]]]):
    """A page of rows per customer. Keys carry the page arguments; keys with the same arguments
    are one windowed statement (`PerCustomerPages.page`), whatever the number of customers."""

    pages: ClassVar[PerCustomerPages]

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx

    async def _batch(self, keys: list[PageKey]) -> list[list[Row[Any]]]:
        groups: dict[tuple[int, Any, Filters], dict[int, list[Row[Any]]]] = {}
        for customer_id, limit, after, filters in keys:
            groups.setdefault((limit, after, filters), {})[customer_id] = []
        for (limit, after, filters), found in groups.items():
            statement, params = self.pages.page(list(found), filters, after, limit)
            for row in await self.ctx.rows(statement, params):
                found[row.customer_id].append(row)
            if after is None:  # a first page knows each customer's total: totalCount is free
                totals = self.ctx.page_totals
                for customer_id, rows in found.items():
                    totals[(self.pages, customer_id, filters)] = getattr(rows[0], TOTAL) if rows else 0
        return [groups[(limit, after, filters)][cid] for cid, limit, after, filters in keys]


class CountsByCustomerLoader(DataLoader[CountKey, int]):
    """How many rows each customer has under the filters: known without a statement when the
    request loaded the customer's first page under the same filters (`PagesByCustomerLoader`),
    else one grouped COUNT per distinct filters."""

    pages: ClassVar[PerCustomerPages]

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx

    def load(self, key: CountKey) -> Awaitable[int]:
        known = self.ctx.page_totals.get((self.pages, *key))
        if known is not None:
            self.prime(key, known)
        return super().load(key)

    async def _batch(self, keys: list[CountKey]) -> list[int]:
        groups: dict[Filters, dict[int, int]] = {}
        for customer_id, filters in keys:
            groups.setdefault(filters, {})[customer_id] = 0
        for filters, counts in groups.items():
            statement, params = self.pages.count(list(counts), filters)
            for row in await self.ctx.rows(statement, params):
                counts[row.customer_id] = int(row.n)
        return [groups[filters][cid] for cid, filters in keys]
