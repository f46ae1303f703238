"""Request-scoped DataLoaders of the customers area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable

from domain.customers import queries
from resolvers.common.loaders import RowByKeyLoader, RowsByKeyLoader


class CustomerByIdLoader(RowByKeyLoader):
    key_field = "id"

    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.customers_by_ids(keys)


class SurvivorByMergedIdLoader(RowByKeyLoader):
    """The surviving customer id for a merged-away id (None when the id was never merged)."""

    key_field = "from_id"

    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.redirect_targets(keys)


class ProfilesByCustomerLoader(RowsByKeyLoader):
    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.profiles_by_customer_ids(keys)


class ProfileByIdLoader(RowByKeyLoader):
    key_field = "id"

    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.profiles_by_ids(keys)


class IdentifiersByCustomerLoader(RowsByKeyLoader):
    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.identifiers_by_customer_ids(keys)


class MergeEventsByCustomerLoader(RowsByKeyLoader):
    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.merge_events_by_customer_ids(keys)
