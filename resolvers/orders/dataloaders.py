"""Request-scoped DataLoaders of the orders area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable

from domain.orders import queries
from resolvers.common.loaders import RowByKeyLoader


class OrderByIdLoader(RowByKeyLoader):
    key_field = "id"

    def statement(self, keys: Sequence[Any]) -> Executable:
        return queries.orders_by_ids(keys)
