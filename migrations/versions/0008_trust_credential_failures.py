"""credential_failures: failed credentials per client address, for the login throttle

Revision ID: 0008_trust_credential_failures
Revises: 0007_trust_consent_source_width
Create Date: 2026-12-04

Where the throttle keeps its counts when no Redis is configured, so that every server process
sees the same failures (api/credential_throttle.py, docs/privacy.md "Credentials").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_trust_credential_failures"
down_revision: str | None = "0007_trust_consent_source_width"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credential_failures",
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client", name=op.f("pk_credential_failures")),
    )
    op.create_index(
        op.f("ix_credential_failures_window_started_at"), "credential_failures", ["window_started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_credential_failures_window_started_at"), table_name="credential_failures")
    op.drop_table("credential_failures")
