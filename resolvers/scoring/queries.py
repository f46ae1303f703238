"""The `scoringModel` root field."""

from __future__ import annotations

import strawberry

from domain.scoring.store import latest_model_query
from resolvers.context import Context
from resolvers.scoring.types import BgNbdParams, GammaGammaParams, ScoringModel


async def latest_scoring_model(info: strawberry.Info[Context, None]) -> ScoringModel | None:
    rows = await info.context.rows(latest_model_query())
    if not rows:
        return None
    m = rows[0]
    return ScoringModel(
        as_of=m.as_of,
        fitted_at=m.fitted_at,
        customers=m.customers,
        log_likelihood=m.log_likelihood,
        bgnbd=BgNbdParams(r=m.r, alpha=m.alpha, a=m.a, b=m.b),
        gamma_gamma=GammaGammaParams(p=m.p, q=m.q, gamma=m.gamma) if m.p is not None else None,
    )
