"""Request-scoped DataLoaders of the loyalty area."""

from __future__ import annotations

from domain.customers import facts
from domain.loyalty import queries
from resolvers.common.loaders import PagesByCustomerLoader
from resolvers.customers.dataloaders import CustomerFactLoader


class AccountByCustomerLoader(CustomerFactLoader):
    """Tier, balance, points expiring soon and 12-month spend, per customer, as of now (read
    with the customer's scores when the request also asks for them)."""

    part = facts.LOYALTY


class LedgerByCustomerLoader(PagesByCustomerLoader):
    pages = queries.LEDGER_PAGES
