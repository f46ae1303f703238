"""scoring model breakpoints; jobs by status (the relay looks for lost STARTED jobs)

Revision ID: 0003_scoring
Revises: 0002
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_scoring"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "scoring_models",
        sa.Column("breakpoints", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")),
    )
    op.create_index("ix_jobs_status_started_at", "jobs", ["status", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_status_started_at", table_name="jobs")
    op.drop_column("scoring_models", "breakpoints")
