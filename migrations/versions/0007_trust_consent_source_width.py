"""consent_history.source and consents.source hold a whole channel key (CHANNEL:externalId)

Revision ID: 0007_trust_consent_source_width
Revises: 0006_trust_consent_trust
Create Date: 2026-12-04

A consent captured by a channel records the profile's key as its source: up to 20 characters
of channel, a colon and 200 of external id. The columns held 100, so a long external id with
consents failed on PostgreSQL (domain/limits.py: text no longer than its column).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_trust_consent_source_width"
down_revision: str | None = "0006_trust_consent_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("consent_history", "consents")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("source", type_=sa.String(300), existing_type=sa.String(100), existing_nullable=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("source", type_=sa.String(100), existing_type=sa.String(300), existing_nullable=False)
