"""default loyalty tiers and SLA policy (data the operator may change)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

tiers = sa.table(
    "tiers",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("rank", sa.Integer),
    sa.column("min_spend_12m_cents", sa.BigInteger),
    sa.column("points_multiplier", sa.Float),
)
sla = sa.table(
    "sla_policies",
    sa.column("priority", sa.String),
    sa.column("category", sa.String),
    sa.column("first_response_minutes", sa.Integer),
    sa.column("resolution_minutes", sa.Integer),
)


def upgrade() -> None:
    op.bulk_insert(
        tiers,
        [
            {"code": "MEMBER", "name": "Member", "rank": 0, "min_spend_12m_cents": 0, "points_multiplier": 1.0},
            {"code": "SILVER", "name": "Silver", "rank": 1, "min_spend_12m_cents": 200000, "points_multiplier": 1.2},
            {"code": "GOLD", "name": "Gold", "rank": 2, "min_spend_12m_cents": 800000, "points_multiplier": 1.5},
            {"code": "PLATINUM", "name": "Platinum", "rank": 3, "min_spend_12m_cents": 2000000,
             "points_multiplier": 2.0},
        ],
    )
    op.bulk_insert(
        sla,
        [
            {"priority": "URGENT", "category": None, "first_response_minutes": 15, "resolution_minutes": 120},
            {"priority": "HIGH", "category": None, "first_response_minutes": 15, "resolution_minutes": 1440},
            {"priority": "NORMAL", "category": None, "first_response_minutes": 120, "resolution_minutes": 2880},
            {"priority": "LOW", "category": None, "first_response_minutes": 1440, "resolution_minutes": 4320},
            {"priority": None, "category": "COMPLAINT", "first_response_minutes": None, "resolution_minutes": 4320},
        ],
    )


def downgrade() -> None:
    op.execute(sla.delete())
    op.execute(tiers.delete())
