"""Score refreshes: a full one (fit the models on the whole base, score everyone) and a
restricted one (some customers, with the model and the base breakpoints of the last full one).

Both recompute from the order rows and upsert, so running one twice leaves the same scores.
The fit runs in a worker thread (`asyncio.to_thread`), so an event loop serving requests keeps
serving while the embedded runner refreshes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import utcnow
from domain.scoring.aggregates import HOLDOUT_DAYS, Aggregates, load_aggregates
from domain.scoring.breakpoints import Breakpoints
from domain.scoring.compute import Model, ScoreArrays, fit_model, model_inputs_of, score
from domain.scoring.store import insert_model, load_latest_model, upsert_scores
from domain.scoring.validation import Validation, validate

# progress(stage, done, total): stages "aggregate", "fit", "score", "write", in that order.
Progress = Callable[[str, int, int], None]


def _noop(_stage: str, _done: int, _total: int) -> None:
    return None


def _score_base(agg: Aggregates, model: Model | None) -> tuple[ScoreArrays, Breakpoints]:
    scores = score(agg, model)
    breakpoints = Breakpoints.of_base(
        scores.scored_rfm,
        agg.last_day,
        agg.frequency,
        agg.monetary_cents,
        scores.r,
        scores.f,
        scores.m,
        scores.predicted_cents,
        scores.value_tier,
    )
    return scores, breakpoints


def fit_and_validate(agg: Aggregates) -> tuple[Model | None, Validation | None]:
    """The fit on everything and the holdout refit, side by side (each fit runs its two models in
    threads of its own; numpy and scipy release the GIL)."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="c360-validate") as pool:
        checked = pool.submit(validate, agg)
        model = fit_model(model_inputs_of(agg))
        return model, checked.result()


async def refresh_all(
    engine: AsyncEngine,
    as_of: dt.datetime | None = None,
    progress: Progress | None = None,
    *,
    holdout_days: int = HOLDOUT_DAYS,
) -> dict[str, Any]:
    """Fit BG/NBD and Gamma-Gamma on every customer with an order and score every customer; refit
    on the orders up to `as_of - holdout_days` and report how well that predicted the rest."""
    as_of = as_of or utcnow()
    report = progress or _noop
    report("aggregate", 0, 1)
    async with engine.connect() as conn:
        agg = await load_aggregates(conn, as_of, holdout_days=holdout_days)
    report("aggregate", 1, 1)
    report("fit", 0, 1)
    model, validation = await asyncio.to_thread(fit_and_validate, agg)
    report("fit", 1, 1)
    report("score", 0, 1)
    scores, breakpoints = await asyncio.to_thread(_score_base, agg, model)
    report("score", 1, 1)
    report("write", 0, agg.size)
    now = utcnow()
    async with engine.begin() as conn:
        model_id = (
            await insert_model(conn, model, breakpoints, as_of=as_of, fitted_at=now, validation=validation)
            if model
            else None
        )
        await upsert_scores(
            conn,
            agg,
            scores,
            model_id=model_id,
            as_of=as_of,
            computed_at=now,
            progress=lambda done: report("write", done, agg.size),
        )
    result: dict[str, Any] = {"customers": agg.size, "rfmScored": int(scores.scored_rfm.sum()), "modelId": model_id}
    if model is not None:
        result["fittedCustomers"] = model.customers
        result["converged"] = model.converged
    if validation is not None:
        result["churnAuc"] = round(validation.churn_auc, 4)
    return result


async def refresh_customers(
    engine: AsyncEngine, customer_ids: Sequence[int], as_of: dt.datetime | None = None
) -> dict[str, Any] | None:
    """Rescore `customer_ids` with the last fitted model; None when no model was fitted yet."""
    as_of = as_of or utcnow()
    async with engine.connect() as conn:
        latest = await load_latest_model(conn)
        if latest is None:
            return None
        model_id, model, breakpoints = latest
        agg = await load_aggregates(conn, as_of, sorted(set(customer_ids)))
    scores = score(agg, model, breakpoints or Breakpoints([None] * 5, [None] * 5, [None] * 5, None, None))
    async with engine.begin() as conn:
        await upsert_scores(conn, agg, scores, model_id=model_id, as_of=as_of, computed_at=utcnow())
    return {"customers": agg.size, "modelId": model_id}
