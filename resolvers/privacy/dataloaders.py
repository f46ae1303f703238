"""Request-scoped DataLoaders of the privacy area."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.privacy import queries
from resolvers.context import Context


class GrantedPurposesByCustomerLoader(DataLoader[int, frozenset[str]]):
    """The purposes each customer currently grants (read fresh every request: no stale cache)."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx

    async def _batch(self, keys: Sequence[int]) -> list[frozenset[str]]:
        granted: dict[int, set[str]] = {key: set() for key in keys}
        for row in await self.ctx.rows(queries.granted_purposes(list(keys))):
            granted[row.customer_id].add(row.purpose)
        return [frozenset(granted[key]) for key in keys]
