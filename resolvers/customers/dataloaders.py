"""Request-scoped DataLoaders of the customers area."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Row
from strawberry.dataloader import DataLoader

from domain.base import utcnow
from domain.customers import facts, queries
from domain.loyalty.queries import ACCOUNTS_BY_CUSTOMER_IDS, account_params
from domain.scoring.queries import SCORES_BY_CUSTOMER_IDS
from resolvers.common.loaders import ByIdsLoader, RowsByIdsLoader

if TYPE_CHECKING:
    from resolvers.context import Context


class CustomerByIdLoader(ByIdsLoader):
    query = queries.CUSTOMERS_BY_IDS


class SurvivorByMergedIdLoader(ByIdsLoader):
    """The surviving customer id for a merged-away id (None when the id was never merged)."""

    key_field = "from_id"
    query = queries.REDIRECT_TARGETS


class ProfilesByCustomerLoader(RowsByIdsLoader):
    query = queries.PROFILES_BY_CUSTOMER_IDS


class ProfileByIdLoader(ByIdsLoader):
    query = queries.PROFILES_BY_IDS


class IdentifiersByCustomerLoader(RowsByIdsLoader):
    query = queries.IDENTIFIERS_BY_CUSTOMER_IDS


class MergeEventsByCustomerLoader(RowsByIdsLoader):
    query = queries.MERGE_EVENTS_BY_CUSTOMER_IDS


FactKey = tuple[int, str]  # (customer_id, facts.LOYALTY or facts.SCORES)


class FactsByCustomerLoader(DataLoader[FactKey, Any]):
    """A customer's one-row facts of other areas (loyalty account, scores): the parts asked for
    in one batch are one statement (`facts.ACCOUNTS_WITH_SCORES_BY_CUSTOMER_IDS` when both)."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx

    async def _batch(self, keys: list[FactKey]) -> list[Any]:
        parts = {part for _, part in keys}
        ids = list(dict.fromkeys(customer_id for customer_id, _ in keys))
        found: dict[FactKey, Any] = {}
        if parts == {facts.SCORES}:
            for row in await self.ctx.rows(SCORES_BY_CUSTOMER_IDS, {"ids": ids}):
                found[(row.customer_id, facts.SCORES)] = row
        else:
            both = facts.SCORES in parts
            statement = facts.ACCOUNTS_WITH_SCORES_BY_CUSTOMER_IDS if both else ACCOUNTS_BY_CUSTOMER_IDS
            for row in await self.ctx.rows(statement, account_params(ids, utcnow())):
                found[(row.customer_id, facts.LOYALTY)] = row
                if both:
                    found[(row.customer_id, facts.SCORES)] = _scores_of(row)
        return [found.get(key) for key in keys]


def _scores_of(row: Row[Any]) -> Any:
    """The scores part of a joined row, named like a scores row (None without scores)."""
    if getattr(row, facts.SCORE_PREFIX + "customer_id") is None:
        return None
    return SimpleNamespace(**{name: getattr(row, facts.SCORE_PREFIX + name) for name in facts.SCORE_COLUMNS})


class CustomerFactLoader(DataLoader[int, Any]):
    """One part of `FactsByCustomerLoader` per customer id (None when the customer has none)."""

    part: ClassVar[str]

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx

    async def _batch(self, keys: list[int]) -> list[Any]:
        return await self.ctx.loader(FactsByCustomerLoader).load_many([(key, self.part) for key in keys])
