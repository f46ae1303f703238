"""Read-side SQL for feedback (Core statements with bound parameters, built once)."""

from __future__ import annotations

from domain.base import table_of
from domain.feedback.models import Feedback
from domain.paging import PerCustomerPages, by_ids

feedback = table_of(Feedback)

FEEDBACK_PAGES = PerCustomerPages(
    feedback, time_column="submitted_at", filters={"kind": lambda p: feedback.c.kind == p}
)
FEEDBACK_BY_IDS = by_ids(feedback)
