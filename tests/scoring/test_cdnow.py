"""The CDNOW sample reproduces the published BG/NBD and Gamma-Gamma parameters through the API."""

from __future__ import annotations

import bisect
import csv
import dataclasses
import datetime as dt
import decimal
import json

import pytest

from domain.scoring.aggregates import load_aggregates
from domain.scoring.compute import model_inputs_of
from domain.settings import Settings
from jobs.background import run_due_jobs
from resolvers.common.ids import decode_id
from tests.scoring.cdnow import AS_OF, CDNOW, import_cdnow, read_master


async def test_the_order_rows_reproduce_the_published_summary(engine) -> None:
    by_sample_id = await import_cdnow(engine)
    async with engine.connect() as conn:
        agg = await load_aggregates(conn, dt.datetime.fromisoformat(AS_OF))
    inputs = model_inputs_of(agg)
    row_of = {int(c): i for i, c in enumerate(agg.customer_id)}
    with (CDNOW / "cdnow_customers_summary_with_transactions.csv").open() as f:
        summary = list(csv.DictReader(f))
    assert len(summary) == len(by_sample_id) == agg.size == 2357
    for s in summary:
        i = row_of[by_sample_id[s["ID"].zfill(4)]]
        assert inputs.x[i] == int(s["x"])
        assert inputs.t_x[i] == pytest.approx(float(s["t_x"]), abs=0.006)
        assert inputs.T[i] == pytest.approx(float(s["T"]), abs=0.006)
        assert inputs.zbar[i] == pytest.approx(float(s["zbar"]), abs=0.006)


async def test_refresh_scores_fits_the_published_parameters(engine, gql) -> None:
    await import_cdnow(engine)
    assert (await gql("{ scoringModel { customers } }"))["scoringModel"] is None
    data = await gql(
        "mutation($asOf: DateTime) { refreshScores(asOf: $asOf) { job { id kind status } errors { code } } }",
        {"asOf": AS_OF},
    )
    payload = data["refreshScores"]
    assert payload["errors"] == [] and payload["job"]["status"] == "QUEUED"
    assert await run_due_jobs(engine) == 1
    job = (await gql("query($id: ID!) { job(id: $id) { status error result } }", {"id": payload["job"]["id"]}))["job"]
    assert job["status"] == "FINISHED", job["error"]
    assert json.loads(job["result"])["fittedCustomers"] == 2357
    model = (
        await gql(
            "{ scoringModel { asOf customers logLikelihood bgnbd { r alpha a b } gammaGamma { p q gamma }"
            " converged warnings validation { churnAuc } } }"
        )
    )["scoringModel"]
    assert model["warnings"] == [] and model["converged"] is True
    assert model["validation"] is None  # 273 days of history: shorter than twice the 180-day holdout
    assert model["customers"] == 2357 and model["asOf"].startswith("1997-09-30T00:00:00")
    bg, gg = model["bgnbd"], model["gammaGamma"]
    for name, published in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert bg[name] == pytest.approx(published, rel=0.01), name
    for name, published in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert gg[name] == pytest.approx(published, rel=0.02), name
    assert model["logLikelihood"] == pytest.approx(-9582.4, abs=1.0)


MASTER_AS_OF = dt.date(1997, 12, 31)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Reading all 23,570 customers' scores page by page is one caller's heavy but legitimate use."""
    return dataclasses.replace(settings, rate_limit_burst=10**9, rate_limit_per_second=10**9)


SCORES_PAGE = """
query($after: String) {
  customers(first: 100, after: $after) {
    edges { node { id scores { churnRisk probabilityAlive lifecycleStage clv { expectedSpendPerPurchase } } } }
    pageInfo { endCursor hasNextPage }
  }
}
"""


async def test_churn_risk_ranks_who_does_not_come_back_on_the_master_file(engine, gql) -> None:
    # Every CDNOW purchase goes in (the ones after the as-of date too: they must not count).
    rows = read_master()
    customer_of = await import_cdnow(engine, rows)
    data = await gql(
        "mutation($asOf: DateTime) { refreshScores(asOf: $asOf) { job { id } errors { code } } }",
        {"asOf": f"{MASTER_AS_OF.isoformat()}T12:00:00Z"},
    )
    assert data["refreshScores"]["errors"] == []
    assert await run_due_jobs(engine) == 1
    risk: dict[int, float] = {}
    stages: dict[str, int] = {}
    after = None
    while True:
        page = (await gql(SCORES_PAGE, {"after": after}))["customers"]
        for edge in page["edges"]:
            scores = edge["node"]["scores"]
            risk[decode_id(edge["node"]["id"], "Customer")] = scores["churnRisk"]
            stages[scores["lifecycleStage"]] = stages.get(scores["lifecycleStage"], 0) + 1
            assert scores["clv"]["expectedSpendPerPurchase"] is not None
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(risk) == len(customer_of) == 23570
    # The truth, straight from the raw file: who ordered in the 180 days after the as-of date.
    horizon = MASTER_AS_OF + dt.timedelta(days=180)
    came_back = {customer_of[cust] for cust, _id, day, _cents in rows if MASTER_AS_OF < day <= horizon}
    ids = sorted(risk)
    auc = roc_auc_of([risk[i] for i in ids], [i not in came_back for i in ids])
    print(f"churnRisk ROC AUC {auc:.4f}")
    assert auc >= 0.78
    assert stages.get("CHURNED", 0) > 0 and stages.get("DECLINING", 0) > 0
    model = (
        await gql(
            "{ scoringModel { converged warnings validation { calibrationEnd holdoutDays customers"
            " predictedPurchases actualPurchases purchasesMae predictedSpend actualSpend churnAuc } } }"
        )
    )["scoringModel"]
    assert model["converged"] is True and model["warnings"] == []
    v = model["validation"]
    print("validation", v)
    assert v["calibrationEnd"].startswith("1997-07-04") and v["holdoutDays"] == 180
    # The calibration period's buyers and what they did in the holdout, from the raw file.
    calibration_end = MASTER_AS_OF - dt.timedelta(days=180)
    early = {cust for cust, _id, day, _cents in rows if day <= calibration_end}
    holdout_days = {(c, day) for c, _id, day, _cents in rows if c in early and calibration_end < day <= MASTER_AS_OF}
    spent = sum(cents for c, _id, day, cents in rows if c in early and calibration_end < day <= MASTER_AS_OF)
    assert v["customers"] == len(early) == 23570  # everyone's first purchase was in 1997's first quarter
    assert v["actualPurchases"] == len(holdout_days)
    assert decimal.Decimal(v["actualSpend"]) == decimal.Decimal(spent).scaleb(-2)
    assert v["predictedPurchases"] == pytest.approx(v["actualPurchases"], rel=0.25)
    assert 0.0 < v["purchasesMae"] < 1.0
    assert v["churnAuc"] >= 0.7  # 0.715: a holdout six months in, on half a year of history


def roc_auc_of(score: list[float], positive: list[bool]) -> float:
    """ROC AUC by counting pairs (ties count one half), independently of domain/scoring/validation.py."""
    pos = sorted(s for s, p in zip(score, positive, strict=True) if p)
    neg = sorted(s for s, p in zip(score, positive, strict=True) if not p)
    below = bisect.bisect_left
    wins = sum(below(neg, s) + (bisect.bisect_right(neg, s) - below(neg, s)) / 2 for s in pos)
    return wins / (len(pos) * len(neg))
