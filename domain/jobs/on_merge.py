"""Jobs about a customer (its refreshes, exports) follow a merge."""

from domain.base import table_of
from domain.customers.merge_handlers import MergeHandler, register
from domain.jobs.models import Job

HANDLER = register(MergeHandler("jobs", follow=(table_of(Job),)))
