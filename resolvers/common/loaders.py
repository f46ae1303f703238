"""Base DataLoaders: one SQL statement per batch of keys, results aligned with the keys.

Subclasses name what they load (`<Thing>By<Key>Loader`) and give the statement; SQL itself
lives in `domain/<area>/queries.py`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Executable, Row
from strawberry.dataloader import DataLoader

if TYPE_CHECKING:
    from resolvers.context import Context


class _SqlLoader(DataLoader[Any, Any]):
    key_field = "customer_id"

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx

    def statement(self, keys: Sequence[Any]) -> Executable:
        raise NotImplementedError

    def key_of(self, row: Row[Any]) -> Hashable:
        return getattr(row, self.key_field)  # type: ignore[no-any-return]

    async def _batch(self, keys: list[Any]) -> list[Any]:
        raise NotImplementedError


class RowsByKeyLoader(_SqlLoader):
    """Loads every row for each key (a list per key, empty when none)."""

    async def _batch(self, keys: list[Any]) -> list[Any]:
        grouped: dict[Hashable, list[Row[Any]]] = {key: [] for key in keys}
        for row in await self.ctx.rows(self.statement(keys)):
            grouped[self.key_of(row)].append(row)
        return [grouped[key] for key in keys]


class RowByKeyLoader(_SqlLoader):
    """Loads at most one row for each key (None when absent)."""

    async def _batch(self, keys: list[Any]) -> list[Any]:
        found = {self.key_of(row): row for row in await self.ctx.rows(self.statement(keys))}
        return [found.get(key) for key in keys]
