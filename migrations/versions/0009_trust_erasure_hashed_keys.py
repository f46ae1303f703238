"""suppressed_profile_keys keeps a keyed hash, not the key; erased profiles' keys replaced; idempotency_records.request_id

Revision ID: 0009_trust_erasure_hashed_keys
Revises: 0008_trust_credential_failures
Create Date: 2026-12-04

Each existing suppressed (channel, external_id) becomes its HMAC-SHA256 keyed with C360_SECRET,
computed by `domain.privacy.suppression.key_digest` with the secret the app itself reads from
the environment (`domain.settings.get_settings`): run the migration with the same C360_SECRET
as the server (on PostgreSQL it must be set; a database without suppressed keys needs none).
The erased profile that still carried the key takes the placeholder key `erased:<hash>`, and
consent sources that named the key (`WEB:WE-1`) name the placeholder (`WEB:erased:<hash>`).

The clear keys are gone afterwards, on purpose: the downgrade recreates the old table only
while no key is suppressed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_trust_erasure_hashed_keys"
down_revision: str | None = "0008_trust_credential_failures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = "suppressed_profile_keys"
INDEX = "ix_suppressed_profile_keys_customer_id"


def upgrade() -> None:
    conn = op.get_bind()
    old = sa.table(
        TABLE, sa.column("channel"), sa.column("external_id"), sa.column("customer_id"), sa.column("suppressed_at")
    )
    rows = conn.execute(sa.select(old)).all()
    op.drop_index(INDEX, table_name=TABLE)
    op.drop_table(TABLE)
    op.create_table(
        TABLE,
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("customer_id", BIG_ID, nullable=False),
        sa.Column("suppressed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_suppressed_profile_keys")),
    )
    op.create_index(op.f(INDEX), TABLE, ["customer_id"], unique=False)
    op.add_column("idempotency_records", sa.Column("request_id", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_idempotency_records_request_id"), "idempotency_records", ["request_id"], unique=False)
    if rows:
        _hash_existing(conn, rows)


def _hash_existing(conn: sa.Connection, rows: Sequence[sa.Row]) -> None:
    from domain.privacy.suppression import key_digest, placeholder
    from domain.settings import get_settings

    secret = get_settings().secret
    new = sa.table(TABLE, sa.column("key_hash"), sa.column("customer_id"), sa.column("suppressed_at"))
    profiles = sa.table("channel_profiles", sa.column("channel"), sa.column("external_id"))
    identifiers = sa.table("identifiers", sa.column("kind"), sa.column("value"))
    sources = [sa.table(name, sa.column("source")) for name in ("consent_history", "consents")]
    digests = {}
    for row in rows:
        digest = key_digest(row.channel, row.external_id, secret)
        digests[digest] = {"key_hash": digest, "customer_id": row.customer_id, "suppressed_at": row.suppressed_at}
        old_key, new_key = f"{row.channel}:{row.external_id}", f"{row.channel}:{placeholder(digest)}"
        conn.execute(
            sa.update(profiles)
            .where(profiles.c.channel == row.channel, profiles.c.external_id == row.external_id)
            .values(external_id=placeholder(digest))
        )
        conn.execute(sa.delete(identifiers).where(identifiers.c.kind == "EXTERNAL_ID", identifiers.c.value == old_key))
        for table in sources:
            conn.execute(sa.update(table).where(table.c.source == old_key).values(source=new_key))
    conn.execute(sa.insert(new), list(digests.values()))


def downgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text(f"SELECT count(*) FROM {TABLE}")).scalar_one():
        raise RuntimeError("suppressed keys are kept only as hashes: the clear keys cannot be restored")
    op.drop_index(op.f("ix_idempotency_records_request_id"), table_name="idempotency_records")
    op.drop_column("idempotency_records", "request_id")
    op.drop_index(op.f(INDEX), table_name=TABLE)
    op.drop_table(TABLE)
    op.create_table(
        TABLE,
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", BIG_ID, nullable=False),
        sa.Column("suppressed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "external_id", name=op.f("pk_suppressed_profile_keys")),
    )
    op.create_index(op.f(INDEX), TABLE, ["customer_id"], unique=False)
