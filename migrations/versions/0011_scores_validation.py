"""scoring model convergence, warnings and holdout validation; expected spend per purchase

Revision ID: 0011_scores_validation
Revises: 0010_identity_review
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_scores_validation"
down_revision: str | None = "0010_identity_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("scoring_models", sa.Column("converged", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("scoring_models", sa.Column("warnings", JSON_DOC))
    op.add_column("scoring_models", sa.Column("validation", JSON_DOC))
    op.add_column("customer_scores", sa.Column("expected_spend_cents", BIG_ID))


def downgrade() -> None:
    op.drop_column("customer_scores", "expected_spend_cents")
    op.drop_column("scoring_models", "validation")
    op.drop_column("scoring_models", "warnings")
    op.drop_column("scoring_models", "converged")
