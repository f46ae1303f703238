"""Service tickets and the SLA policy (data) that sets their due times."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, BigId, UTCDateTime


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
