"""Background job records and the outbox that hands them to the queue.

A job request is committed with the mutation that asked for it (job row + outbox row); a relay
moves outbox rows to RQ, so a request made while Redis is down runs once Redis is back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, BigId, JsonDoc, UTCDateTime, utcnow


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_dedupe_key_status", "dedupe_key", "status"),
        Index("ix_jobs_status_started_at", "status", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="QUEUED")
    params: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    customer_id: Mapped[int | None] = mapped_column(BigId, index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    requested_by: Mapped[str | None] = mapped_column(String(200))
    enqueued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)


class JobOutbox(Base):
    __tablename__ = "job_outbox"
    __table_args__ = (Index("ix_job_outbox_dispatched_at_id", "dispatched_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    not_before: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class PeriodicSlot(Base):
    """The last slot of each periodic job that was requested: the embedded scheduler of every
    server process claims a slot with one conditional UPDATE of this row, so however many
    processes run, one of them requests each slot."""

    __tablename__ = "periodic_slots"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    slot: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
