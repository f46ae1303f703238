"""periodic_slots: the last requested slot of each periodic job (the embedded scheduler's claim)

Revision ID: 0012_scores_periodic_slots
Revises: 0011_scores_validation
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_scores_periodic_slots"
down_revision: str | None = "0011_scores_validation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    op.create_table(
        "periodic_slots",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periodic_slots")),
    )

def downgrade() -> None:
    op.drop_table("periodic_slots")
