"""orders (customer_id, placed_at, id) index covers total_cents and status: the score refresh
reads each customer's orders in time order from the index alone (no sort, no heap visits)

Revision ID: 0004_scoring_speed
Revises: 0003_scoring
Create Date: 2026-12-01
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0004_scoring_speed"
down_revision: str | None = "0003_scoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Same key, so every query that used the old index still can; INCLUDE is PostgreSQL only
    # (SQLite gets the plain index back). Building it takes a write lock on orders for the time
    # it takes (about 20 s for 10M orders); a large live base can build it CONCURRENTLY first.
    op.drop_index("ix_orders_customer_id_placed_at", table_name="orders")
    op.create_index(
        "ix_orders_customer_id_placed_at",
        "orders",
        ["customer_id", "placed_at", "id"],
        postgresql_include=["total_cents", "status"],
    )


def downgrade() -> None:
    op.drop_index("ix_orders_customer_id_placed_at", table_name="orders")
    op.create_index("ix_orders_customer_id_placed_at", "orders", ["customer_id", "placed_at", "id"])
