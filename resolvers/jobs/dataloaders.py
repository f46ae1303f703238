"""Request-scoped DataLoaders of the jobs area."""

from __future__ import annotations

from domain.jobs import queries
from resolvers.common.loaders import ByIdsLoader


class JobByIdLoader(ByIdsLoader):
    query = queries.JOBS_BY_IDS
