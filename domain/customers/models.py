"""Customers, the channel profiles they are made of, their identifiers and merge history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, BigId, JsonDoc, UTCDateTime, utcnow


class Customer(Base):
    """One person. Personal fields hold the survivorship result over the customer's profiles;
    order statistics are kept up to date by the orders service so filters stay index-friendly."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Indexed for `insights`: the customers that existed at a time (domain/insights/queries.py).
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    country: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    line1: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    total_spent_cents: Mapped[int] = mapped_column(BigId, default=0)
    first_order_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_order_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CustomerRedirect(Base):
    """A merged-away customer id and the survivor it now resolves to."""

    __tablename__ = "customer_redirects"

    from_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    merged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChannelProfile(Base):
    """What one channel system knows about a person, keyed by (channel, external_id)."""

    __tablename__ = "channel_profiles"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    member_card: Mapped[str | None] = mapped_column(String(64))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    country: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    line1: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Identifier(Base):
    """A normalized identifier carried by a profile; (kind, value) is the matching key."""

    __tablename__ = "identifiers"
    __table_args__ = (
        UniqueConstraint("profile_id", "kind", "value"),
        Index("ix_identifiers_kind_value", "kind", "value"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("channel_profiles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(320))
    verified: Mapped[bool] = mapped_column(default=False)


class MergeEvent(Base):
    """A merge, a blocked merge or an unmerge, with the rule that fired and the profiles involved."""

    __tablename__ = "merge_events"
    __table_args__ = (Index("ix_merge_events_customer_id_at", "customer_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str | None] = mapped_column(String(100))
    profile_ids: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)


class SharedIdentifier(Base):
    """An identifier seen on profiles of 3 or more clearly different people (a store landline, a
    family email): it stays on the profiles but links nobody, like a blocked value."""

    __tablename__ = "shared_identifiers"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(320), primary_key=True)
    people: Mapped[int] = mapped_column(Integer)  # clearly different names seen on it, when blocked
    blocked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DuplicateCandidate(Base):
    """Two profiles of different customers that may be one person, for staff to decide.

    Kept per profile pair (`profile_id` < `other_profile_id`), so it survives merges of either
    side; its customers are the profiles' current customers. `status`: OPEN, then MERGED or
    KEPT_APART (remembered: automatic matching never proposes or merges the pair again)."""

    __tablename__ = "duplicate_candidates"
    __table_args__ = (
        UniqueConstraint("profile_id", "other_profile_id"),
        Index("ix_duplicate_candidates_status_confidence", "status", "confidence", "id"),
        Index("ix_duplicate_candidates_other_profile_id", "other_profile_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)  # profile_id's customer
    profile_id: Mapped[int] = mapped_column(ForeignKey("channel_profiles.id"))
    other_profile_id: Mapped[int] = mapped_column(ForeignKey("channel_profiles.id"))
    confidence: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    source: Mapped[str] = mapped_column(String(20))  # IDENTIFIER (a match kept apart) or LOOKALIKE
    status: Mapped[str] = mapped_column(String(20), default="OPEN")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
