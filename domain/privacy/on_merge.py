"""Consent decisions follow a merge; the survivor's current consents are rebuilt from them
(for each purpose the latest decision wins)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.customers.merge_handlers import MergeHandler, register
from domain.privacy.consents import rebuild_current_consents
from domain.privacy.models import ConsentRecord, CurrentConsent

current = table_of(CurrentConsent)


async def _absorbed(conn: AsyncConnection, _survivor: int, others: Sequence[int]) -> None:
    await conn.execute(delete(current).where(current.c.customer_id.in_(others)))


async def _merged(conn: AsyncConnection, survivor: int, _others: Sequence[int]) -> None:
    await rebuild_current_consents(conn, survivor)


HANDLER = register(
    MergeHandler("privacy", follow=(table_of(ConsentRecord),), state=(current,), absorbed=_absorbed, merged=_merged)
)
