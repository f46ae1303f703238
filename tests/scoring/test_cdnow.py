"""The CDNOW sample reproduces the published BG/NBD and Gamma-Gamma parameters through the API."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from domain.scoring.aggregates import load_aggregates
from domain.scoring.compute import model_inputs_of
from jobs.background import run_due_jobs
from tests.scoring.cdnow import AS_OF, CDNOW, import_cdnow


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
        await gql("{ scoringModel { asOf customers logLikelihood bgnbd { r alpha a b } gammaGamma { p q gamma } } }")
    )["scoringModel"]
    assert model["customers"] == 2357 and model["asOf"].startswith("1997-09-30T00:00:00")
    bg, gg = model["bgnbd"], model["gammaGamma"]
    for name, published in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert bg[name] == pytest.approx(published, rel=0.01), name
    for name, published in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert gg[name] == pytest.approx(published, rel=0.02), name
    assert model["logLikelihood"] == pytest.approx(-9582.4, abs=1.0)
