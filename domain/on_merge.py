"""Every area's merge handler, registered in one place and in the order they run (see
domain/customers/merge_handlers.py): the rows first, then the state recomputed from them, the
score refresh last."""

from domain.feedback import on_merge as feedback
from domain.insights import on_merge as insights
from domain.jobs import on_merge as jobs
from domain.loyalty import on_merge as loyalty
from domain.orders import on_merge as orders
from domain.privacy import on_merge as privacy
from domain.scoring import on_merge as scoring
from domain.service import on_merge as service

AREAS = (orders, insights, service, feedback, privacy, loyalty, jobs, scoring)
ORDER = tuple(area.HANDLER.area for area in AREAS)
