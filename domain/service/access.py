"""Reaching a ticket or a customer for a write, the way every desk write must: an id whose
customer the caller may not see is NOT_FOUND, exactly as an id that does not exist."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.callers.caller import Caller
from domain.errors import NotFound
from domain.privacy.access import customer_for_write, visible_conditions
from domain.service import queries as sql

tickets = sql.tickets


async def visible_customer(conn: AsyncConnection, customer_id: int, caller: Caller, field: list[str]) -> int:
    """The live customer behind `customer_id` (following merges) if the caller may see it;
    NOT_FOUND otherwise, the same answer as for an id that does not exist."""
    return int((await customer_for_write(conn, customer_id, caller.role, field=field)).id)


async def locked_ticket(conn: AsyncConnection, ticket_id: int, caller: Caller, field: str = "ticketId") -> Row[Any]:
    """The ticket, locked for the transaction, if it exists and the caller may see its customer."""
    statement = sql.ticket_by_id(ticket_id).where(*visible_conditions(caller.role, tickets.c.customer_id))
    row = (await conn.execute(statement.with_for_update(of=tickets))).first()
    if row is None:
        raise NotFound("no such ticket", field=[field])
    return row
