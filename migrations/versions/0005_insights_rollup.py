"""customer_purchase_days and purchase_pair_counts, the rollups behind insights (backfilled); customers.created_at index

Revision ID: 0005_insights_rollup
Revises: 0004_scoring_speed
Create Date: 2026-12-01

The backfills are the whole-table forms of `domain.insights.purchase_days.purchase_days` and
`domain.insights.pair_counts.pair_counts_of_days` (a test checks that they agree with what the
domain code keeps). Rows go in sorted by the primary key; the secondary indexes and, on
PostgreSQL, the foreign key are made afterwards, several times faster than during the insert.
Also an index on customers.created_at, for the customer count of insights.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_insights_rollup"
down_revision: str | None = "0004_scoring_speed"
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
# Sentinels for "no purchase day before" and "none after" (domain.insights.models).
PAIR_BACKFILL = """
INSERT INTO purchase_pair_counts (scope, pair, first, second, days, single_order_days)
SELECT scope, 'DAY_PREV', day, COALESCE(prev_day, '0001-01-01'),
       count(*), sum(CASE WHEN orders = 1 THEN 1 ELSE 0 END)
FROM customer_purchase_days GROUP BY scope, day, COALESCE(prev_day, '0001-01-01')
UNION ALL
SELECT scope, 'PREV_NEXT', COALESCE(prev_day, '0001-01-01'), COALESCE(next_day, '9999-12-31'),
       count(*), sum(CASE WHEN orders = 1 THEN 1 ELSE 0 END)
FROM customer_purchase_days GROUP BY scope, COALESCE(prev_day, '0001-01-01'), COALESCE(next_day, '9999-12-31')
UNION ALL
SELECT scope, 'DAY_NEXT', day, COALESCE(next_day, '9999-12-31'),
       count(*), sum(CASE WHEN orders = 1 THEN 1 ELSE 0 END)
FROM customer_purchase_days GROUP BY scope, day, COALESCE(next_day, '9999-12-31')
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    owner = sa.ForeignKeyConstraint(
        ["customer_id"], ["customers.id"], name=op.f("fk_customer_purchase_days_customer_id_customers")
    )
    op.create_table(
        "customer_purchase_days",
        sa.Column("customer_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=True),
        sa.Column("next_day", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", "scope", "day", name=op.f("pk_customer_purchase_days")),
        *([owner] if dialect == "sqlite" else []),  # SQLite cannot add a constraint later
    )
    op.create_table(
        "purchase_pair_counts",
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("pair", sa.String(length=10), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("second", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("single_order_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "pair", "first", "second", name=op.f("pk_purchase_pair_counts")),
    )
    op.execute(BACKFILL.format(day=UTC_DAY.get(dialect, UTC_DAY["postgresql"])))
    op.execute(PAIR_BACKFILL)
    if dialect != "sqlite":
        op.create_foreign_key(
            op.f("fk_customer_purchase_days_customer_id_customers"),
            "customer_purchase_days",
            "customers",
            ["customer_id"],
            ["id"],
        )
    op.create_index(op.f("ix_customers_created_at"), "customers", ["created_at"], unique=False)
    op.create_index(
        "ix_purchase_pair_counts_scope_pair_second_first",
        "purchase_pair_counts",
        ["scope", "pair", "second", "first"],
        unique=False,
        postgresql_include=["days", "single_order_days"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_customers_created_at"), table_name="customers")
    op.drop_index("ix_purchase_pair_counts_scope_pair_second_first", table_name="purchase_pair_counts")
    op.drop_table("purchase_pair_counts")
    op.drop_table("customer_purchase_days")
