"""Writing scores: the fitted model row and bulk upserts of customer_scores (both dialects).

Many rows on PostgreSQL (a full refresh): the score columns go as numbers through a binary COPY
into a temporary table (texts as 1-based codes into the sorted name lists below, 0 for NULL;
`scored` says whether the RFM columns hold values), then one INSERT .. ON CONFLICT DO UPDATE moves
them into customer_scores. Otherwise (SQLite, or a few customers after an order, where a temporary
table per call would only churn the catalog): executemany upserts of row dicts, in chunks. Either
way a row is recomputed whole from the arrays, so a second run with the same inputs writes the
same values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import bindparam, desc, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import UTCDateTime, table_of
from domain.pgcopy import copy_columns_to_table
from domain.scoring.aggregates import Aggregates
from domain.scoring.bgnbd import BgNbdParams
from domain.scoring.breakpoints import Breakpoints
from domain.scoring.compute import Model, ScoreArrays
from domain.scoring.gamma_gamma import GammaGammaParams
from domain.scoring.lifecycle import STAGES, VALUE_TIERS
from domain.scoring.models import CustomerScore, ScoringModel
from domain.scoring.rfm import SEGMENTS
from domain.scoring.validation import Validation

scores_table = table_of(CustomerScore)
models_table = table_of(ScoringModel)

CHUNK: Final = 50_000  # rows per executemany
COPY_FROM: Final = 1_000  # rows from which PostgreSQL goes through COPY
_RFM: Final = ("recency_days", "frequency", "monetary_cents", "r", "f", "m")  # NULL unless scored
_NUMBERS: Final = (
    "historic_cents",
    "predicted_12m_cents",
    "expected_purchases_12m",
    "expected_spend_cents",
    "probability_alive",
    "churn_risk",
)
_NULL_SPEND: Final = -1  # expected_spend_cents through COPY: no Gamma-Gamma value
_TEXTS: Final[dict[str, tuple[str, ...]]] = {
    "rfm_segment": tuple(sorted(SEGMENTS)),  # NULL unless scored
    "lifecycle_stage": tuple(sorted(STAGES)),
    "value_tier": tuple(sorted(VALUE_TIERS)),
}
_NAMES: Final = ("customer_id", *_RFM, "rfm_segment", *_NUMBERS, "lifecycle_stage", "value_tier")
_UPDATED: Final = (*_NAMES[1:], "model_id", "as_of", "computed_at")
_STAGING: Final = "scoring_rows"


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{n}'" for n in names)


_PG_STAGING = f"""
    CREATE TEMPORARY TABLE {_STAGING} (
        customer_id BIGINT, scored BIGINT, {", ".join(f"{n} BIGINT" for n in _RFM)}, rfm_segment BIGINT,
        historic_cents BIGINT, predicted_12m_cents BIGINT, expected_purchases_12m FLOAT8,
        expected_spend_cents BIGINT, probability_alive FLOAT8, churn_risk FLOAT8,
        lifecycle_stage BIGINT, value_tier BIGINT
    ) ON COMMIT DROP
"""


def _staged(name: str) -> str:
    """The staging column `name` as the value customer_scores stores."""
    if name in _RFM:
        return f"CASE WHEN scored = 1 THEN {name} END"
    if name in _TEXTS:
        return f"(ARRAY[{_quoted(_TEXTS[name])}])[{name}]"  # out of range (0) is NULL
    if name == "expected_spend_cents":
        return f"NULLIF({name}, {_NULL_SPEND})"
    return name


_PG_UPSERT = text(
    f"""
    INSERT INTO customer_scores ({", ".join(_NAMES)}, model_id, as_of, computed_at)
    SELECT {", ".join(_staged(n) for n in _NAMES)}, :model_id, :as_of, :computed_at FROM {_STAGING}
    ON CONFLICT (customer_id) DO UPDATE SET {", ".join(f"{n} = EXCLUDED.{n}" for n in _UPDATED)}
    """
).bindparams(bindparam("as_of", type_=UTCDateTime), bindparam("computed_at", type_=UTCDateTime))


def _codes(values: NDArray[np.str_], names: tuple[str, ...]) -> NDArray[np.int64]:
    """1-based positions of `values` in the sorted `names`; 0 for ""."""
    known = np.asarray(names)
    at = np.minimum(np.searchsorted(known, values), known.size - 1)
    found = known[at] == values
    if not np.all(found | (values == "")):
        raise ValueError(f"unknown values {sorted(set(values[~found].tolist()) - {''})}")
    return np.where(found, at + 1, 0).astype(np.int64)


def _arrays(agg: Aggregates, s: ScoreArrays) -> dict[str, NDArray[Any]]:
    """Every column as an array aligned with `agg`, RFM columns meaningful where `s.scored_rfm`."""
    return {
        "customer_id": agg.customer_id,
        "recency_days": agg.as_of_day - agg.last_day,
        "frequency": agg.frequency,
        "monetary_cents": agg.monetary_cents,
        "r": s.r,
        "f": s.f,
        "m": s.m,
        "rfm_segment": s.segment,
        "historic_cents": agg.total_cents,
        "predicted_12m_cents": s.predicted_cents,
        "expected_purchases_12m": s.expected_purchases,
        "expected_spend_cents": np.where(
            np.isnan(s.expected_spend), _NULL_SPEND, np.rint(np.nan_to_num(s.expected_spend) * 100.0)
        ).astype(np.int64),
        "probability_alive": s.probability_alive,
        "churn_risk": s.churn_risk,
        "lifecycle_stage": s.lifecycle,
        "value_tier": s.value_tier,
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
    arrays = _arrays(agg, s)
    stamp = {"model_id": model_id, "as_of": as_of, "computed_at": computed_at}
    if conn.dialect.name == "postgresql" and agg.size >= COPY_FROM:
        columns = {n: _codes(a, _TEXTS[n]) if n in _TEXTS else a for n, a in arrays.items()}
        columns["scored"] = s.scored_rfm.astype(np.int64)
        await conn.exec_driver_sql(_PG_STAGING)
        await copy_columns_to_table(conn, _STAGING, columns)
        await conn.execute(_PG_UPSERT, stamp)
        await conn.exec_driver_sql(f"DROP TABLE {_STAGING}")  # free now; a later call may stage again
        if progress is not None:
            progress(agg.size)
        return agg.size
    lists = {n: a.tolist() for n, a in arrays.items()}
    scored = s.scored_rfm.tolist()
    for n in (*_RFM, "rfm_segment"):
        lists[n] = [v if ok else None for v, ok in zip(lists[n], scored, strict=True)]
    lists["expected_spend_cents"] = [None if v == _NULL_SPEND else v for v in lists["expected_spend_cents"]]
    stmt = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(scores_table)
    upsert = stmt.on_conflict_do_update(index_elements=["customer_id"], set_={c: stmt.excluded[c] for c in _UPDATED})
    for start in range(0, agg.size, CHUNK):
        rows = [{**{n: lists[n][i] for n in _NAMES}, **stamp} for i in range(start, min(start + CHUNK, agg.size))]
        await conn.execute(upsert, rows)
        if progress is not None:
            progress(min(start + CHUNK, agg.size))
    return agg.size


async def insert_model(
    conn: AsyncConnection,
    model: Model,
    breakpoints: Breakpoints,
    *,
    as_of: dt.datetime,
    fitted_at: dt.datetime,
    validation: Validation | None = None,
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
                    converged=model.converged,
                    warnings=list(model.warnings),
                    validation=validation.to_json() if validation is not None else None,
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
