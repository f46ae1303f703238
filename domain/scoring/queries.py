"""Read-side SQL for customer scores and the fitted scoring model."""

from __future__ import annotations

from sqlalchemy import select

from domain.base import table_of
from domain.paging import by_ids
from domain.scoring.models import CustomerScore, ScoringModel

scores = table_of(CustomerScore)
models = table_of(ScoringModel)

SCORES_BY_CUSTOMER_IDS = by_ids(scores, "customer_id")
LATEST_MODEL = select(models).order_by(models.c.fitted_at.desc(), models.c.id.desc()).limit(1)
