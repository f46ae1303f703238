"""customer_purchase_days: the purchase-day rollup behind insights, backfilled from orders

Revision ID: 0005_insights_rollup
Revises: 0003_scoring
Create Date: 2026-12-01

The backfill is the whole-table form of `domain.insights.purchase_days.purchase_days` (a test
checks that the two agree). It writes the rows sorted by the primary key and builds the scope/day
index afterwards, which is several times faster than keeping the index during a large insert. On
PostgreSQL, VACUUM (or autovacuum) marks the new pages all-visible, which the index-only scans
of `insights` want; see docs/insights.md.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_insights_rollup"
down_revision: str | None = "0003_scoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# The UTC calendar date of orders.placed_at (SQLite stores naive UTC text).
UTC_DAY = {"postgresql": "CAST(placed_at AT TIME ZONE 'UTC' AS DATE)", "sqlite": "date(placed_at)"}
BACKFILL = """
INSERT INTO customer_purchase_days (customer_id, scope, day, orders, prev_day, next_day)
SELECT customer_id, scope, day, orders,
       lag(day) OVER (PARTITION BY customer_id, scope ORDER BY day),
       lead(day) OVER (PARTITION BY customer_id, scope ORDER BY day)
FROM (
    SELECT customer_id, channel AS scope, {day} AS day, count(*) AS orders
    FROM orders WHERE status <> 'RETURNED' GROUP BY customer_id, channel, {day}
    UNION ALL
    SELECT customer_id, 'ALL' AS scope, {day} AS day, count(*) AS orders
    FROM orders WHERE status <> 'RETURNED' GROUP BY customer_id, {day}
) AS grouped
ORDER BY customer_id, scope, day
"""


def upgrade() -> None:
    op.create_table(
        "customer_purchase_days",
        sa.Column("customer_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=True),
        sa.Column("next_day", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_purchase_days_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "scope", "day", name=op.f("pk_customer_purchase_days")),
    )
    dialect = op.get_bind().dialect.name
    op.execute(BACKFILL.format(day=UTC_DAY.get(dialect, UTC_DAY["postgresql"])))
    op.create_index(
        "ix_customer_purchase_days_scope_day",
        "customer_purchase_days",
        ["scope", "day"],
        unique=False,
        postgresql_include=["prev_day", "next_day", "orders"],
    )


def downgrade() -> None:
    op.drop_index("ix_customer_purchase_days_scope_day", table_name="customer_purchase_days")
    op.drop_table("customer_purchase_days")
