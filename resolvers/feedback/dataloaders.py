"""Request-scoped DataLoaders of the feedback area."""

from __future__ import annotations

from domain.feedback import queries
from resolvers.common.loaders import ByIdsLoader, CountsByCustomerLoader, PagesByCustomerLoader


class FeedbackByCustomerLoader(PagesByCustomerLoader):
    pages = queries.FEEDBACK_PAGES


class FeedbackCountsByCustomerLoader(CountsByCustomerLoader):
    pages = queries.FEEDBACK_PAGES


class FeedbackByIdLoader(ByIdsLoader):
    query = queries.FEEDBACK_BY_IDS
