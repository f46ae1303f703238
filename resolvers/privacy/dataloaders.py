"""Request-scoped DataLoaders of the privacy area."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.privacy import queries
from resolvers.common.loaders import RowsByIdsLoader
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


class ConsentsByCustomerLoader(RowsByIdsLoader):
    """The current decision per purpose, ordered by purpose."""

    query = queries.CURRENT_CONSENTS_BY_CUSTOMER_IDS


class ConsentHistoryByCustomerLoader(RowsByIdsLoader):
    """Every decision, oldest first."""

    query = queries.CONSENT_HISTORY_BY_CUSTOMER_IDS
