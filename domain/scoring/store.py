"""Writing scores: the fitted model row and bulk upserts of customer_scores (both dialects)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import bindparam, desc, insert, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import UTCDateTime, table_of
from domain.scoring.aggregates import Aggregates
from domain.scoring.bgnbd import BgNbdParams
from domain.scoring.breakpoints import Breakpoints
from domain.scoring.compute import Model, ScoreArrays
from domain.scoring.gamma_gamma import GammaGammaParams
from domain.scoring.models import CustomerScore, ScoringModel

scores_table = table_of(CustomerScore)
models_table = table_of(ScoringModel)

CHUNK: Final = 50_000
# Per-row columns, in the order of the PostgreSQL unnest, with their array types.
_COLUMNS: Final = (
    ("customer_id", "BIGINT[]"),
    ("recency_days", "INTEGER[]"),
    ("frequency", "INTEGER[]"),
    ("monetary_cents", "BIGINT[]"),
    ("r", "INTEGER[]"),
    ("f", "INTEGER[]"),
    ("m", "INTEGER[]"),
    ("rfm_segment", "VARCHAR[]"),
    ("historic_cents", "BIGINT[]"),
    ("predicted_12m_cents", "BIGINT[]"),
    ("expected_purchases_12m", "FLOAT8[]"),
    ("probability_alive", "FLOAT8[]"),
    ("churn_risk", "FLOAT8[]"),
    ("lifecycle_stage", "VARCHAR[]"),
    ("value_tier", "VARCHAR[]"),
)
_NAMES = [name for name, _ in _COLUMNS]
_PG_UPSERT = text(
    f"""
    INSERT INTO customer_scores ({", ".join(_NAMES)}, model_id, as_of, computed_at)
    SELECT u.*, :model_id, :as_of, :computed_at
    FROM unnest({", ".join(f"CAST(:{n} AS {t})" for n, t in _COLUMNS)}) AS u({", ".join(_NAMES)})
    ON CONFLICT (customer_id) DO UPDATE SET
    {", ".join(f"{n} = EXCLUDED.{n}" for n in [*_NAMES[1:], "model_id", "as_of", "computed_at"])}
    """
).bindparams(bindparam("as_of", type_=UTCDateTime), bindparam("computed_at", type_=UTCDateTime))


def _columns(agg: Aggregates, s: ScoreArrays) -> dict[str, list[Any]]:
    scored = s.scored_rfm

    def when_scored(values: Any) -> list[Any]:
        return [int(v) if ok else None for v, ok in zip(values, scored, strict=True)]

    return {
        "customer_id": agg.customer_id.tolist(),
        "recency_days": when_scored(agg.as_of_day - agg.last_day),
        "frequency": when_scored(agg.frequency),
        "monetary_cents": when_scored(agg.monetary_cents),
        "r": when_scored(s.r),
        "f": when_scored(s.f),
        "m": when_scored(s.m),
        "rfm_segment": [str(v) if ok else None for v, ok in zip(s.segment, scored, strict=True)],
        "historic_cents": agg.total_cents.tolist(),
        "predicted_12m_cents": s.predicted_cents.tolist(),
        "expected_purchases_12m": s.expected_purchases.tolist(),
        "probability_alive": s.probability_alive.tolist(),
        "churn_risk": (1.0 - s.probability_alive).tolist(),
        "lifecycle_stage": list(s.lifecycle),
        "value_tier": [str(v) for v in s.value_tier],
    }


async def upsert_scores(
    conn: AsyncConnection,
    agg: Aggregates,
    s: ScoreArrays,
    *,
    model_id: int | None,
    as_of: dt.datetime,
    computed_at: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert or update every customer's row; a second run with the same inputs changes nothing."""
    columns = _columns(agg, s)
    n = agg.size
    for start in range(0, n, CHUNK):
        part = {k: v[start : start + CHUNK] for k, v in columns.items()}
        if conn.dialect.name == "postgresql":
            await conn.execute(_PG_UPSERT, {**part, "model_id": model_id, "as_of": as_of, "computed_at": computed_at})
        else:
            rows = [
                {**{k: part[k][i] for k in _NAMES}, "model_id": model_id, "as_of": as_of, "computed_at": computed_at}
                for i in range(len(part["customer_id"]))
            ]
            stmt = sqlite_insert(scores_table)
            excluded = {c: stmt.excluded[c] for c in [*_NAMES[1:], "model_id", "as_of", "computed_at"]}
            await conn.execute(stmt.on_conflict_do_update(index_elements=["customer_id"], set_=excluded), rows)
        if progress is not None:
            progress(min(start + CHUNK, n))
    return n


async def insert_model(
    conn: AsyncConnection, model: Model, breakpoints: Breakpoints, *, as_of: dt.datetime, fitted_at: dt.datetime
) -> int:
    gg = model.gamma_gamma
    return int(
        (
            await conn.execute(
                insert(models_table)
                .values(
                    as_of=as_of,
                    fitted_at=fitted_at,
                    customers=model.customers,
                    log_likelihood=model.log_likelihood,
                    r=model.bgnbd.r,
                    alpha=model.bgnbd.alpha,
                    a=model.bgnbd.a,
                    b=model.bgnbd.b,
                    p=gg.p if gg else None,
                    q=gg.q if gg else None,
                    gamma=gg.gamma if gg else None,
                    breakpoints=breakpoints.to_json(),
                )
                .returning(models_table.c.id)
            )
        ).scalar_one()
    )


def latest_model_query() -> Any:
    return select(models_table).order_by(desc(models_table.c.fitted_at), desc(models_table.c.id)).limit(1)


async def load_latest_model(conn: AsyncConnection) -> tuple[int, Model, Breakpoints | None] | None:
    row = (await conn.execute(latest_model_query())).first()
    if row is None:
        return None
    gg = GammaGammaParams(row.p, row.q, row.gamma) if row.p is not None else None
    model = Model(BgNbdParams(row.r, row.alpha, row.a, row.b), gg, row.log_likelihood, row.customers)
    return int(row.id), model, Breakpoints.from_json(row.breakpoints) if row.breakpoints else None
