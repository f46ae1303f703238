"""Tickets follow a merge."""

from domain.base import table_of
from domain.customers.merge_handlers import MergeHandler, register
from domain.service.models import Ticket

HANDLER = register(MergeHandler("service", follow=(table_of(Ticket),)))
