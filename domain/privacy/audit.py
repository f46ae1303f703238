"""The audit trail of clear reads: one entry per customer per response that returned any of its
personal values in clear (who, as what role, for which declared purpose, which fields)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence, Set

import orjson
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Insert,
    Select,
    String,
    Text,
    bindparam,
    cast,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import UTCDateTime, table_of, utcnow
from domain.callers.caller import Caller
from domain.customers.models import CustomerRedirect
from domain.privacy.models import AuditEntry

entries = table_of(AuditEntry)
_redirects = table_of(CustomerRedirect)


def audit_rows(
    *, caller: Caller, request_id: str, fields: Mapping[int, Set[str]], at: dt.datetime | None = None
) -> list[dict[str, object]]:
    """The parameters of `insert(entries)`: one entry per customer with the sorted field names."""
    at = at or utcnow()
    return [
        {
            "customer_id": customer_id,
            "at": at,
            "subject": caller.subject,
            "role": caller.role.value,
            "purpose": caller.purpose,
            "fields": sorted(names),
            "request_id": request_id,
        }
        for customer_id, names in sorted(fields.items())
    ]


def _unnest_insert() -> Insert:
    """PostgreSQL: every entry of a request in one INSERT ... SELECT FROM unnest(ids, fields),
    one statement whatever the number of customers (an executemany is one per row for the
    server). The same columns and values as `insert(entries)` with `audit_rows`."""
    listed = (
        func.unnest(bindparam("customer_ids", type_=ARRAY(BigInteger)), bindparam("fields", type_=ARRAY(Text)))
        .table_valued("customer_id", "fields")
        .render_derived()
    )
    each = select(
        listed.c.customer_id,
        bindparam("at", type_=UTCDateTime),
        bindparam("subject", type_=String),
        bindparam("role", type_=String),
        bindparam("purpose", type_=String),
        cast(listed.c.fields, JSONB),
        bindparam("request_id", type_=String),
    )
    columns = ["customer_id", "at", "subject", "role", "purpose", "fields", "request_id"]
    return insert(entries).from_select(columns, each)


_UNNEST_INSERT = _unnest_insert()


def audit_insert(
    *,
    postgres: bool,
    caller: Caller,
    request_id: str,
    fields: Mapping[int, Set[str]],
    at: dt.datetime | None = None,
) -> tuple[Insert, list[dict[str, object]]]:
    """The INSERT of these entries and its parameter sets: on PostgreSQL one statement over
    arrays (one set, whatever the number of customers), elsewhere `insert(entries)` with a set
    per customer (`audit_rows`)."""
    if not postgres:
        return insert(entries), audit_rows(caller=caller, request_id=request_id, fields=fields, at=at)
    ordered = sorted(fields.items())
    params: dict[str, object] = {
        "customer_ids": [customer_id for customer_id, _ in ordered],
        "fields": [orjson.dumps(sorted(names)).decode() for _, names in ordered],
        "at": at or utcnow(),
        "subject": caller.subject,
        "role": caller.role.value,
        "purpose": caller.purpose,
        "request_id": request_id,
    }
    return _UNNEST_INSERT, [params]


async def write_audit_entries(
    conn: AsyncConnection,
    *,
    caller: Caller,
    request_id: str,
    fields: Mapping[int, Set[str]],
    at: dt.datetime | None = None,
) -> int:
    """Append one entry per customer with the sorted field names; returns how many."""
    if not fields:
        return 0
    postgres = conn.dialect.name == "postgresql"
    statement, params = audit_insert(postgres=postgres, caller=caller, request_id=request_id, fields=fields, at=at)
    await conn.execute(statement, params)
    return len(fields)


def _about(customer_id: int | None) -> list[ColumnElement[bool]]:
    """Entries about a customer, including those read under ids since merged into it."""
    if customer_id is None:
        return []
    merged = select(_redirects.c.from_id).where(_redirects.c.customer_id == customer_id)
    return [or_(entries.c.customer_id == customer_id, entries.c.customer_id.in_(merged))]


def audit_page(customer_id: int | None, before_id: int | None, limit: int) -> Select[tuple[object, ...]]:
    """Newest first, keyset on id (stable while entries are appended)."""
    stmt = select(entries).where(*_about(customer_id))
    if before_id is not None:
        stmt = stmt.where(entries.c.id < before_id)
    return stmt.order_by(entries.c.id.desc()).limit(limit)


def audit_count(customer_id: int | None) -> Select[int]:
    return select(func.count()).select_from(entries).where(*_about(customer_id))


def survivor_of(customer_ids: Sequence[int]) -> Select[tuple[int]]:
    return select(_redirects.c.customer_id).where(_redirects.c.from_id.in_(customer_ids))
