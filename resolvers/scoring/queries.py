"""The `scoringModel` root field."""

from __future__ import annotations

import strawberry

from domain.scoring.store import latest_model_query
from resolvers.context import Context
from resolvers.scoring.types import ScoringModel


async def latest_scoring_model(info: strawberry.Info[Context, None]) -> ScoringModel | None:
    rows = await info.context.rows(latest_model_query())
    if not rows:
        return None
    return ScoringModel.of(rows[0])
