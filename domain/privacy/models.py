"""Consents (append-only history plus the current decision per purpose), audit entries and the
(channel, external_id) keys suppressed by an erasure."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, BigId, JsonDoc, UTCDateTime, utcnow


class ConsentRecord(Base):
    """One decision, never updated or deleted (the history behind `consentHistory`)."""

    __tablename__ = "consent_history"
    __table_args__ = (Index("ix_consent_history_customer_id_recorded_at", "customer_id", "recorded_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("channel_profiles.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(String(30))
    granted: Mapped[bool] = mapped_column()
    source: Mapped[str] = mapped_column(String(300))  # a channel key: CHANNEL:externalId
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Recorded by a staff caller or an ADMIN ingest of a first-party channel: only such a
    # THIRD_PARTY_SHARING grant makes the customer visible to partners (domain/privacy/access.py).
    trusted: Mapped[bool] = mapped_column()


class CurrentConsent(Base):
    """The latest decision per (customer, purpose); what masking and filters read."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_purpose_granted", "purpose", "granted"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    purpose: Mapped[str] = mapped_column(String(30), primary_key=True)
    granted: Mapped[bool] = mapped_column()
    source: Mapped[str] = mapped_column(String(300))  # a channel key: CHANNEL:externalId
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    trusted: Mapped[bool] = mapped_column()  # of the decision it copies


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_customer_id_id", "customer_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(BigId)  # no FK: the trail outlives merges
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    subject: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str | None] = mapped_column(String(100))
    fields: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    request_id: Mapped[str] = mapped_column(String(64))


class SuppressedProfileKey(Base):
    """A (channel, external_id) erased on request: ingesting it again answers CONFLICT."""

    __tablename__ = "suppressed_profile_keys"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigId, index=True)
    suppressed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
