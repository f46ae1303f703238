"""Consent decisions and audit entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from resolvers.common.enums import ConsentPurpose, ConsentStatus, Role
from resolvers.common.node import PageInfo


@strawberry.type(description="A consent decision for one purpose.")
class Consent:
    purpose: ConsentPurpose
    status: ConsentStatus
    source: str
    updated_at: dt.datetime

    @classmethod
    def current(cls, row: Any) -> Consent:
        return cls(
            purpose=ConsentPurpose(row.purpose),
            status=_status(row.granted),
            source=row.source,
            updated_at=row.updated_at,
        )

    @classmethod
    def recorded(cls, row: Any) -> Consent:
        """A consent_history row: the decision as taken at `recorded_at`."""
        return cls(
            purpose=ConsentPurpose(row.purpose),
            status=_status(row.granted),
            source=row.source,
            updated_at=row.recorded_at,
        )


def _status(granted: bool) -> ConsentStatus:
    return ConsentStatus.GRANTED if granted else ConsentStatus.WITHDRAWN


@strawberry.type(description="A read of personal data in clear.")
class AuditEntry:
    at: dt.datetime
    subject: str
    role: Role
    purpose: str | None
    customer_id: strawberry.ID
    fields: list[str]


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo
    total_count: int
