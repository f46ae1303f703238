"""A refresh says when its fit cannot be trusted: data that drives the optimizers to the bounds
of their search answers converged false with the parameters named, over GraphQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jobs.background import run_due_jobs
from tests.scoring.cdnow import import_cdnow

AS_OF = dt.date(2026, 6, 30)
MODEL = "{ scoringModel { converged warnings validation { holdoutDays customers churnAuc } } }"


def _steady_buyers() -> list[tuple[str, str, dt.date, int]]:
    """40 customers who each buy every 7 days for the same 50.00, from their start to the as-of
    date: every rate alike, nobody drops out, every purchase the same value."""
    rows = []
    for n in range(40):
        day = AS_OF - dt.timedelta(days=7 * (20 + n))
        while day <= AS_OF:
            rows.append((f"S{n:03}", f"S{n:03}", day, 5000))
            day += dt.timedelta(days=7)
    return rows


async def _refresh(engine, gql) -> dict[str, Any]:
    data = await gql(
        "mutation($asOf: DateTime) { refreshScores(asOf: $asOf) { errors { code } } }",
        {"asOf": f"{AS_OF.isoformat()}T12:00:00Z"},
    )
    assert data["refreshScores"]["errors"] == []
    assert await run_due_jobs(engine) == 1
    model: dict[str, Any] = (await gql(MODEL))["scoringModel"]
    return model


async def test_a_fit_at_the_bounds_of_its_search_is_not_converged(engine, gql) -> None:
    await import_cdnow(engine, _steady_buyers())
    model = await _refresh(engine, gql)
    assert model["converged"] is False
    assert "BG/NBD r at its upper bound" in model["warnings"]
    assert "BG/NBD a at its lower bound" in model["warnings"]
    assert "Gamma-Gamma p at its upper bound" in model["warnings"]
    # The history (20 to 59 weeks) is long enough for the holdout check, which still runs.
    assert model["validation"]["holdoutDays"] == 180 and model["validation"]["customers"] > 0


async def test_a_short_history_has_no_validation(engine, gql) -> None:
    rows = [(f"C{n}", f"C{n}", AS_OF - dt.timedelta(days=d), 1000 + 37 * d) for n in range(30) for d in (n, 3 * n + 5)]
    await import_cdnow(engine, rows)
    model = await _refresh(engine, gql)
    assert model["validation"] is None  # 92 days of history: shorter than twice the holdout
