"""Feedback follows a merge."""

from domain.base import table_of
from domain.customers.merge_handlers import MergeHandler, register
from domain.feedback.models import Feedback

HANDLER = register(MergeHandler("feedback", follow=(table_of(Feedback),)))
