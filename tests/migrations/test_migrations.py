"""Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, select, text

from api.migrate import drift
from domain.loyalty.models import Tier
from domain.models import metadata
from domain.service.models import SlaPolicy


async def test_models_and_migrations_do_not_drift(engine) -> None:
    assert await drift(engine) == []


async def test_every_customer_owned_table_carries_customer_id(engine) -> None:
    not_customer_owned = {
        "customers",
        "tiers",
        "sla_policies",
        "scoring_models",
        "segments",
        "api_keys",
        "credential_failures",
        "idempotency_records",
        "persisted_queries",  # query texts by hash (api/persisted_queries.py)
        "job_outbox",
        "periodic_slots",
        "jobs",
        "suppressed_profile_keys",
        "audit_entries",
        "customer_redirects",
        "shared_identifiers",  # a value shared by several people, not one customer's
        "purchase_pair_counts",  # an aggregate over customers (docs/insights.md)
    }

    def columns(sync_conn):
        insp = inspect(sync_conn)
        return {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names() if t != "alembic_version"}

    async with engine.connect() as conn:
        tables = await conn.run_sync(columns)
    assert set(tables) == set(metadata.tables)
    for table, cols in tables.items():
        if table not in not_customer_owned:
            assert "customer_id" in cols, table


async def test_default_tiers_and_sla_policy_are_data(engine) -> None:
    async with engine.connect() as conn:
        tiers = (
            await conn.execute(select(Tier.code, Tier.min_spend_12m_cents, Tier.points_multiplier).order_by(Tier.rank))
        ).all()
        sla = (
            await conn.execute(
                select(SlaPolicy.priority, SlaPolicy.first_response_minutes, SlaPolicy.resolution_minutes).where(
                    SlaPolicy.priority.is_not(None)
                )
            )
        ).all()
    assert [tuple(t) for t in tiers] == [
        ("MEMBER", 0, 1.0),
        ("SILVER", 200000, 1.2),
        ("GOLD", 800000, 1.5),
        ("PLATINUM", 2000000, 2.0),
    ]
    assert {p: (f, r) for p, f, r in sla} == {
        "URGENT": (15, 120),
        "HIGH": (15, 1440),
        "NORMAL": (120, 2880),
        "LOW": (1440, 4320),
    }


async def test_covering_indexes_include_what_the_models_say(engine) -> None:
    """Alembic's drift check does not compare INCLUDE columns: compare them here (PostgreSQL only)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("INCLUDE columns exist on PostgreSQL only")
    wanted = {
        str(index.name): list(index.dialect_options["postgresql"]["include"] or [])
        for table in metadata.tables.values()
        for index in table.indexes
    }
    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"))
        ).all()
    found = {
        name: [c.strip() for c in match.group(1).split(",")] if (match := re.search(r"INCLUDE \((.*)\)", d)) else []
        for name, d in rows
    }
    assert {n: found.get(n) for n in wanted} == wanted
    assert wanted["ix_orders_customer_id_placed_at"] == ["total_cents", "status"]
