"""identity review: identifiers shared by several people, duplicate candidates for staff

Revision ID: 0010_identity_review
Revises: 0009_trust_erasure_hashed_keys
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_identity_review"
down_revision: str | None = "0009_trust_erasure_hashed_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shared_identifiers",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("value", sa.String(320), primary_key=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("blocked_at", UTC, nullable=False),
    )
    op.create_table(
        "duplicate_candidates",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("customer_id", BIG_ID, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("profile_id", BIG_ID, sa.ForeignKey("channel_profiles.id"), nullable=False),
        sa.Column("other_profile_id", BIG_ID, sa.ForeignKey("channel_profiles.id"), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reasons", JSON_DOC, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("resolved_by", sa.String(200), nullable=True),
        sa.UniqueConstraint("profile_id", "other_profile_id"),
    )
    op.create_index("ix_duplicate_candidates_customer_id", "duplicate_candidates", ["customer_id"])
    op.create_index("ix_duplicate_candidates_other_profile_id", "duplicate_candidates", ["other_profile_id"])
    op.create_index(
        "ix_duplicate_candidates_status_confidence", "duplicate_candidates", ["status", "confidence", "id"]
    )


def downgrade() -> None:
    op.drop_table("duplicate_candidates")
    op.drop_table("shared_identifiers")
