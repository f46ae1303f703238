"""Consent decisions and audit entries."""

from __future__ import annotations

import datetime as dt

import strawberry

from resolvers.common.enums import ConsentPurpose, ConsentStatus, Role
from resolvers.common.node import PageInfo


@strawberry.type(description="A consent decision for one purpose.")
class Consent:
    purpose: ConsentPurpose
    status: ConsentStatus
    source: str
    updated_at: dt.datetime


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
