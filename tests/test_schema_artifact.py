"""schema.graphql is the committed output of `c360 export-schema` and holds the whole contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphql import build_schema

from resolvers.schema import schema

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_CHECK = ROOT.parent / "shared" / "tools" / "contract_check.py"
CONTRACT = ROOT.parent / "shared" / "contract"
AREAS = ("trust.graphql", "identity-review.graphql", "scores.graphql", "service-desk.graphql")


def test_committed_schema_matches_export() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == schema.as_str() + "\n", "run `c360 export-schema` and commit schema.graphql"


def test_schema_holds_every_name_of_the_contract() -> None:
    areas = [str(CONTRACT / "areas" / area) for area in AREAS]
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(ROOT / "schema.graphql"), str(CONTRACT / "core.graphql"), *areas],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "names present as specified" in result.stdout


def test_schema_is_valid_sdl_with_descriptions_on_core_types() -> None:
    sdl = build_schema((ROOT / "schema.graphql").read_text())
    for name in ("Customer", "ChannelProfile", "Order", "Ticket", "Segment", "Job"):
        assert sdl.type_map[name].description, f"{name} needs a description (it is GraphiQL's manual)"
