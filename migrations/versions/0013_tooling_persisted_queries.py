"""persisted_queries: query texts by SHA-256, for automatic persisted queries (Apollo's APQ)

Revision ID: 0013_tooling_persisted_queries
Revises: 0012_scores_periodic_slots
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_tooling_persisted_queries"
down_revision: str | None = "0012_scores_periodic_slots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "persisted_queries",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_persisted_queries")),
    )


def downgrade() -> None:
    op.drop_table("persisted_queries")
