"""Request-scoped DataLoaders of the service area."""

from __future__ import annotations

from domain.service import queries
from resolvers.common.loaders import ByIdsLoader, CountsByCustomerLoader, PagesByCustomerLoader, RowsByIdsLoader


class TicketsByCustomerLoader(PagesByCustomerLoader):
    pages = queries.TICKET_PAGES


class TicketCountsByCustomerLoader(CountsByCustomerLoader):
    pages = queries.TICKET_PAGES


class TicketByIdLoader(ByIdsLoader):
    query = queries.TICKETS_BY_IDS


class MessagesByTicketLoader(RowsByIdsLoader):
    key_field = "ticket_id"
    query = queries.MESSAGES_BY_TICKET_IDS


class FollowUpsByTicketLoader(RowsByIdsLoader):
    key_field = "ticket_id"
    query = queries.FOLLOW_UPS_BY_TICKET_IDS
