"""Tickets, their conversations, follow-up visits and events follow a merge."""

from domain.base import table_of
from domain.customers.merge_handlers import MergeHandler, register
from domain.service.models import FollowUp, Ticket, TicketEvent, TicketMessage

HANDLER = register(
    MergeHandler("service", follow=tuple(table_of(m) for m in (Ticket, TicketMessage, FollowUp, TicketEvent)))
)
