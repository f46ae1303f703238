"""Request-scoped DataLoaders of the privacy area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable
from strawberry.dataloader import DataLoader

from domain.privacy import queries
from resolvers.common.loaders import RowsByKeyLoader
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


class ConsentsByCustomerLoader(RowsByKeyLoader):
    """The current decision per purpose (`Customer.consents`; wrap rows with `Consent.from_row`)."""

    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.current_consents(keys)


class ConsentHistoryByCustomerLoader(RowsByKeyLoader):
    """Every decision, oldest first (`Customer.consentHistory`; wrap rows with `Consent.from_row`)."""

    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.consent_history(keys)
