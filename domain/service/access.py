"""Reaching a ticket or a customer for a write, the way every desk write must: an id whose
customer the caller may not see is NOT_FOUND, exactly as an id that does not exist."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.callers.caller import Caller
from domain.customers.models import Customer
from domain.customers.survivors import survivor_id
from domain.errors import NotFound
from domain.privacy.visibility import visible_customer_conditions
from domain.service import queries as sql

_customers = table_of(Customer)
tickets = sql.tickets


async def visible_customer(conn: AsyncConnection, customer_id: int, caller: Caller, field: list[str]) -> int:
    """The live customer behind `customer_id` (following merges) if the caller may see it;
    NOT_FOUND otherwise, the same answer as for an id that does not exist."""
    found = await survivor_id(conn, customer_id, field=field)
    conditions = visible_customer_conditions(caller.role)
    if conditions:
        seen = (await conn.execute(select(_customers.c.id).where(_customers.c.id == found, *conditions))).scalar()
        if seen is None:
            raise NotFound("no such customer", field=field)
    return found


async def locked_ticket(conn: AsyncConnection, ticket_id: int, caller: Caller, field: str = "ticketId") -> Row[Any]:
    """The ticket, locked for the transaction, if it exists and the caller may see its customer."""
    statement = sql.ticket_by_id(ticket_id)
    conditions = visible_customer_conditions(caller.role)
    if conditions:
        statement = statement.join(_customers, _customers.c.id == tickets.c.customer_id).where(*conditions)
    row = (await conn.execute(statement.with_for_update(of=tickets))).first()
    if row is None:
        raise NotFound("no such ticket", field=[field])
    return row
