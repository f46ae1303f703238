"""Request-scoped DataLoaders of the scoring area."""

from __future__ import annotations

from domain.scoring import queries
from resolvers.common.loaders import ByIdsLoader


class ScoresByCustomerLoader(ByIdsLoader):
    key_field = "customer_id"
    query = queries.SCORES_BY_CUSTOMER_IDS
