"""Request-scoped DataLoaders of the privacy area."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.privacy import queries
from domain.privacy.access import policy_purposes
from domain.privacy.masking import consent_dependent
from resolvers.common.loaders import RowsByIdsLoader
from resolvers.context import Context


class GrantedPurposesByCustomerLoader(DataLoader[int, frozenset[str]]):
    """The purposes each customer currently grants as the policy counts them (`policy_purposes`;
    read fresh every request: no stale cache),
    from the same rows as `ConsentsByCustomerLoader`: a request that also shows `consents`
    reads the table once."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx
        self.known: dict[int, frozenset[str]] = {}  # what was loaded: read without awaiting

    async def _batch(self, keys: Sequence[int]) -> list[frozenset[str]]:
        per_customer = await self.ctx.loader(ConsentsByCustomerLoader).load_many(list(keys))
        for key, rows in zip(keys, per_customer, strict=True):
            self.known[key] = policy_purposes(rows)
        return [self.known[key] for key in keys]


async def prime_granted_purposes(ctx: Context, customer_ids: Sequence[int]) -> None:
    """Load the granted purposes of a page of customers in one statement before their fields
    resolve, when the caller's view depends on consent: each personal field then decides without
    awaiting (lists call this; single lookups load it on the first personal field)."""
    if consent_dependent(ctx.caller.role) and customer_ids:
        await ctx.loader(GrantedPurposesByCustomerLoader).load_many(list(customer_ids))


class ConsentsByCustomerLoader(RowsByIdsLoader):
    """The current decision per purpose, ordered by purpose."""

    query = queries.CURRENT_CONSENTS_BY_CUSTOMER_IDS


class ConsentHistoryByCustomerLoader(RowsByIdsLoader):
    """Every decision, oldest first."""

    query = queries.CONSENT_HISTORY_BY_CUSTOMER_IDS
