"""consent decisions remember whether they may make a customer visible to partners

Revision ID: 0006_trust_consent_trust
Revises: 0005_insights_rollup
Create Date: 2026-12-04

`consent_history.trusted` and `consents.trusted`: a decision recorded by a staff caller or by an
ADMIN ingest of a first-party channel (docs/privacy.md "Partners"). Who recorded the decisions
already held is not known; those that came with a MARKETPLACE profile (source `MARKETPLACE:…`),
the one channel partners write, are marked untrusted, the rest trusted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_trust_consent_trust"
down_revision: str | None = "0005_insights_rollup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("consent_history", "consents")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("trusted", sa.Boolean(), nullable=False, server_default=sa.true()))
        op.execute(f"UPDATE {table} SET trusted = false WHERE source LIKE 'MARKETPLACE:%'")
        with op.batch_alter_table(table) as batch:  # every writer says it from now on
            batch.alter_column("trusted", server_default=None)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("trusted")
