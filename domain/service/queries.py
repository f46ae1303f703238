"""Read-side SQL for service tickets (Core statements with bound parameters, built once)."""

from __future__ import annotations

from domain.base import table_of
from domain.paging import PerCustomerPages, by_ids
from domain.service.models import Ticket

tickets = table_of(Ticket)

TICKET_PAGES = PerCustomerPages(tickets, time_column="opened_at", filters={"status": lambda p: tickets.c.status == p})
TICKETS_BY_IDS = by_ids(tickets)
