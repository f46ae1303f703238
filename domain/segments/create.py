"""Saving a segment: a unique name and the CustomerFilter as JSON (evaluated live when read)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import utcnow
from domain.customers.filters import CustomerFilterSpec
from domain.errors import Conflict
from domain.segments.queries import segments


async def create_segment(conn: AsyncConnection, *, name: str, spec: CustomerFilterSpec, created_by: str) -> Row[Any]:
    name = limits.text(name, ["input", "name"], max_length=limits.width(segments.c.name), required=True)
    spec.check(["input", "filter"])
    taken = (await conn.execute(select(segments.c.id).where(segments.c.name == name))).first()
    if taken is not None:
        raise Conflict("a segment with this name exists", field=["input", "name"])
    try:
        async with conn.begin_nested():
            return (
                await conn.execute(
                    insert(segments)
                    .values(name=name, filter=spec.to_dict(), created_at=utcnow(), created_by=created_by)
                    .returning(*segments.c)
                )
            ).one()
    except IntegrityError as exc:  # created by a concurrent request since the check
        raise Conflict("a segment with this name exists", field=["input", "name"]) from exc
