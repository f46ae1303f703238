"""Request-scoped DataLoaders of the scoring area."""

from __future__ import annotations

from domain.customers import facts
from resolvers.customers.dataloaders import CustomerFactLoader


class ScoresByCustomerLoader(CustomerFactLoader):
    """The customer's latest scores (None before the first refresh), read with the loyalty
    account when the request also asks for it."""

    part = facts.SCORES
