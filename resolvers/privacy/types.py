"""Consent decisions and audit entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from domain.privacy.masking import PiiClass
from resolvers.common.enums import Channel, ConsentPurpose, ConsentStatus, Role
from resolvers.common.node import PageInfo
from resolvers.common.personal import personal

_CHANNELS = frozenset(c.value for c in Channel)


def source_class(consent: Consent) -> PiiClass | None:
    """A consent captured by a channel has the profile's key as source (`STORE:00042`): an
    IDENTIFIER. Other sources (`call-center`, `erasure`) are not personal."""
    channel, colon, _rest = consent.source.partition(":")
    return PiiClass.IDENTIFIER if colon and channel in _CHANNELS else None


@strawberry.type(description="A consent decision for one purpose.")
class Consent:
    purpose: ConsentPurpose
    status: ConsentStatus
    source: str = strawberry.field(
        description="Who recorded it: a channel key (`STORE:00042`, masked as IDENTIFIER) or a staff source.",
        extensions=[personal(source_class)],
    )
    updated_at: dt.datetime
    customer_id: strawberry.Private[int | None] = None

    @classmethod
    def from_row(cls, row: Any) -> Consent:
        """From a `consents` row (updated_at) or a `consent_history` row (recorded_at)."""
        return cls(
            purpose=ConsentPurpose(row.purpose),
            status=ConsentStatus.GRANTED if row.granted else ConsentStatus.WITHDRAWN,
            source=row.source,
            updated_at=getattr(row, "updated_at", None) or row.recorded_at,
            customer_id=row.customer_id,
        )

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
