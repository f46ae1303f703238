"""Follow merge redirects: a merged-away customer id resolves to the survivor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.customers.models import Customer, CustomerRedirect
from domain.errors import NotFound

_customers = table_of(Customer)
_redirects = table_of(CustomerRedirect)


async def survivor_id(conn: AsyncConnection, customer_id: int, *, field: list[str] | None = None) -> int:
    """The id of the customer `customer_id` is now (itself, or the survivor it merged into);
    NOT_FOUND when there is none."""
    found = (await conn.execute(select(_customers.c.id).where(_customers.c.id == customer_id))).scalar()
    if found is None:
        found = (
            await conn.execute(select(_redirects.c.customer_id).where(_redirects.c.from_id == customer_id))
        ).scalar()
    if found is None:
        raise NotFound("no such customer", field=field)
    return int(found)
