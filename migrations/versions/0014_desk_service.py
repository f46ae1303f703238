"""The service desk: ticket ownership, queue order, escalation; messages, follow-ups, ticket events

Revision ID: 0014_desk_service
Revises: 0013_tooling_persisted_queries
Create Date: 2026-12-04

`tickets.next_due_at` (the earliest due time not met yet, while the ticket is open) is backfilled
from the due times: the first response's while nobody answered, else the resolution's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014_desk_service"
down_revision: str | None = "0013_tooling_persisted_queries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BACKFILL_NEXT_DUE = """
UPDATE tickets SET next_due_at = CASE WHEN first_response_at IS NULL THEN first_response_due_at
                                      ELSE resolution_due_at END
WHERE status IN ('OPEN', 'PENDING')
"""


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("assignee", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("team", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("response_escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolution_escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False))
    op.execute(BACKFILL_NEXT_DUE)
    op.create_index("ix_tickets_next_due_at_id", "tickets", ["next_due_at", "id"], unique=False)
    op.create_index("ix_tickets_team_next_due_at_id", "tickets", ["team", "next_due_at", "id"], unique=False)
    op.create_index("ix_tickets_assignee_next_due_at_id", "tickets", ["assignee", "next_due_at", "id"], unique=False)
    op.create_index("ix_tickets_resolved_at", "tickets", ["resolved_at"], unique=False)

    op.create_table(
        "ticket_messages",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", BIG_ID, nullable=False),
        sa.Column("customer_id", BIG_ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_ticket_messages_customer_id_customers")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_messages_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_messages")),
    )
    op.create_index("ix_ticket_messages_ticket_id_at_id", "ticket_messages", ["ticket_id", "at", "id"], unique=False)
    op.create_index(
        "ix_ticket_messages_ticket_id_direction_at", "ticket_messages", ["ticket_id", "direction", "at"], unique=False
    )
    op.create_index("ix_ticket_messages_customer_id", "ticket_messages", ["customer_id"], unique=False)

    op.create_table(
        "ticket_follow_ups",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", BIG_ID, nullable=False),
        sa.Column("customer_id", BIG_ID, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assignee", sa.String(length=200), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_ticket_follow_ups_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_follow_ups_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_follow_ups")),
    )
    op.create_index("ix_ticket_follow_ups_ticket_id_due_at", "ticket_follow_ups", ["ticket_id", "due_at"], unique=False)
    op.create_index("ix_ticket_follow_ups_due_at", "ticket_follow_ups", ["due_at"], unique=False)
    op.create_index("ix_ticket_follow_ups_customer_id", "ticket_follow_ups", ["customer_id"], unique=False)

    op.create_table(
        "ticket_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", BIG_ID, nullable=False),
        sa.Column("customer_id", BIG_ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("details", JSON_DOC, nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_ticket_events_customer_id_customers")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_events_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index("ix_ticket_events_ticket_id_at", "ticket_events", ["ticket_id", "at"], unique=False)
    op.create_index("ix_ticket_events_customer_id", "ticket_events", ["customer_id"], unique=False)


def downgrade() -> None:
    op.drop_table("ticket_events")
    op.drop_table("ticket_follow_ups")
    op.drop_table("ticket_messages")
    for name in (
        "ix_tickets_resolved_at",
        "ix_tickets_assignee_next_due_at_id",
        "ix_tickets_team_next_due_at_id",
        "ix_tickets_next_due_at_id",
    ):
        op.drop_index(name, table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        for column in (
            "reopen_count",
            "resolution_escalated_at",
            "response_escalated_at",
            "escalation_level",
            "next_due_at",
            "team",
            "assignee",
        ):
            batch.drop_column(column)
