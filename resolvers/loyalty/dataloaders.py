"""Request-scoped DataLoaders of the loyalty area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable

from domain.base import utcnow
from domain.loyalty import queries
from resolvers.common.loaders import PagesByCustomerLoader, RowByKeyLoader


class AccountByCustomerLoader(RowByKeyLoader):
    """Tier, balance, points expiring soon and 12-month spend, per customer, as of now."""

    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.ACCOUNTS_BY_CUSTOMER_IDS

    def params(self, keys: Sequence[Any]) -> dict[str, Any] | None:
        return queries.account_params(list(keys), utcnow())


class LedgerByCustomerLoader(PagesByCustomerLoader):
    pages = queries.LEDGER_PAGES
