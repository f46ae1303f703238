"""A keyset page of customers (by id) under any SQL conditions, with a lazy totalCount.

Shared by `customers(filter:)` and anything else that lists customers (segment members), so
visibility and paging behave the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement

from domain.customers import queries as sql
from domain.errors import InvalidInput
from resolvers.common.node import PageInfo
from resolvers.common.pagination import check_first, decode_cursor, encode_cursor
from resolvers.context import Context
from resolvers.customers.types import Customer, CustomerConnection, CustomerEdge
from resolvers.privacy.dataloaders import prime_granted_purposes


async def customer_connection(
    ctx: Context, conditions: Sequence[ColumnElement[bool]], first: int | None, after: str | None
) -> CustomerConnection:
    """`conditions` must already include the caller's visibility."""
    limit = check_first(first)
    cursor = decode_cursor(after)
    after_id = cursor[0] if cursor else None
    if after_id is not None and not isinstance(after_id, int):
        raise InvalidInput("not a valid cursor", field=["after"])
    rows = await ctx.rows(sql.customer_page(conditions, after_id, limit + 1))
    page = rows[:limit]
    await prime_granted_purposes(ctx, [r.id for r in page])
    edges = [CustomerEdge(node=Customer(row=r)) for r in page]

    async def total(context: Context) -> int:
        return int(await context.scalar(sql.customer_count(conditions)))

    return CustomerConnection(
        edges=edges,
        page_info=PageInfo.of_keyset(rows, limit, after=after, cursor_of=lambda r: encode_cursor(r.id)),
        total_count_query=total,
    )
