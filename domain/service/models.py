"""Service tickets, their conversation, follow-up visits and history, and the SLA policy (data)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, BigId, JsonDoc, UTCDateTime


class SlaPolicy(Base):
    """Due times per priority; a row with a category caps the resolution time for it."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    priority: Mapped[str | None] = mapped_column(String(20), unique=True)
    category: Mapped[str | None] = mapped_column(String(20), unique=True)
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_customer_id_opened_at", "customer_id", "opened_at", "id"),
        Index("ix_tickets_status_resolution_due_at", "status", "resolution_due_at"),
        # The queue (soonest unmet due time first), whole and per team or assignee.
        Index("ix_tickets_next_due_at_id", "next_due_at", "id"),
        Index("ix_tickets_team_next_due_at_id", "team", "next_due_at", "id"),
        Index("ix_tickets_assignee_next_due_at_id", "assignee", "next_due_at", "id"),
        # The desk figures over the tickets resolved in a period.
        Index("ix_tickets_resolved_at", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    category: Mapped[str] = mapped_column(String(20))
    requested_priority: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="OPEN")
    channel: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(500))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_response_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    breached_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    at_risk_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    assignee: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(100))
    # The earliest due time not met yet while the ticket is open (OPEN, PENDING); null otherwise.
    next_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the SLA job escalated the ticket for each breached due time (once per breach).
    response_escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution_escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class TicketMessage(Base):
    """One message of a ticket's conversation; `body` is personal data (free text)."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        Index("ix_ticket_messages_ticket_id_at_id", "ticket_id", "at", "id"),
        Index("ix_ticket_messages_ticket_id_direction_at", "ticket_id", "direction", "at"),
        Index("ix_ticket_messages_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    direction: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


class FollowUp(Base):
    """A follow-up visit (回访) after a resolution; `note` is personal data (free text)."""

    __tablename__ = "ticket_follow_ups"
    __table_args__ = (
        Index("ix_ticket_follow_ups_ticket_id_due_at", "ticket_id", "due_at"),
        Index("ix_ticket_follow_ups_due_at", "due_at"),
        Index("ix_ticket_follow_ups_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    assignee: Mapped[str | None] = mapped_column(String(200))
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class TicketEvent(Base):
    """What happened to a ticket besides its SLA clock: ASSIGNED, ESCALATED, FOLLOW_UP_SCHEDULED,
    FOLLOW_UP_DONE, REOPENED. `details` holds ids, levels, priorities, outcomes (never free text)."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        Index("ix_ticket_events_ticket_id_at", "ticket_id", "at"),
        Index("ix_ticket_events_customer_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, object]] = mapped_column(JsonDoc)
