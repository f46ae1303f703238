"""Read-side SQL for saved segments: the list, and which segments given customers are in now.

Membership is evaluated live with the same `filter_conditions` as `customers(filter:)`, for a
whole batch of customers in one UNION ALL statement (chunked below SQLite's compound-select limit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import structlog
from sqlalchemy import CompoundSelect, Select, literal, select, union_all

from domain.base import key_in, table_of
from domain.customers.filters import CustomerFilterSpec, customers, filter_conditions
from domain.errors import DomainError
from domain.paging import by_ids
from domain.privacy.roles import Role
from domain.segments.models import Segment

log = structlog.get_logger("c360.segments")
segments = table_of(Segment)

ALL_SEGMENTS = select(segments).order_by(segments.c.name, segments.c.id)
SEGMENTS_BY_IDS = by_ids(segments)
MAX_UNION = 400  # SQLite allows at most 500 selects in one compound statement


def specs_of(rows: Sequence[Any]) -> list[tuple[int, CustomerFilterSpec]]:
    """Each segment's stored filter; a filter that no longer parses is skipped (and logged)."""
    out: list[tuple[int, CustomerFilterSpec]] = []
    for row in rows:
        try:
            out.append((row.id, CustomerFilterSpec.from_dict(dict(row.filter or {}))))
        except DomainError:
            log.warning("segment_filter_unreadable", segment_id=row.id)
    return out


def memberships(
    specs: Sequence[tuple[int, CustomerFilterSpec]], *, role: Role, default_region: str, now: dt.datetime
) -> list[Select[tuple[int, int]] | CompoundSelect[tuple[int, int]]]:
    """Statements answering `(segment_id, customer_id)` for the customers in the list
    `:ids` that each segment matches now, as a caller of `role` evaluates it: one statement per
    `MAX_UNION` segments."""
    selects = [
        select(literal(segment_id).label("segment_id"), customers.c.id.label("customer_id")).where(
            key_in(customers.c.id, "ids"), *filter_conditions(spec, role=role, default_region=default_region, now=now)
        )
        for segment_id, spec in specs
    ]
    chunks = [selects[i : i + MAX_UNION] for i in range(0, len(selects), MAX_UNION)]
    return [chunk[0] if len(chunk) == 1 else union_all(*chunk) for chunk in chunks]
