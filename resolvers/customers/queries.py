"""Root query fields of the customers area."""

from __future__ import annotations

import strawberry

from domain.customers import queries as sql
from domain.customers.identifiers import normalize_identifier
from domain.errors import InvalidInput
from domain.privacy.visibility import visible_customer_conditions
from resolvers.common.enums import IdentifierKind
from resolvers.common.ids import decode_id
from resolvers.common.node import Node, PageInfo
from resolvers.common.pagination import check_first, decode_cursor, encode_cursor
from resolvers.context import Context
from resolvers.customers.inputs import CustomerFilter
from resolvers.customers.lookup import load_customer
from resolvers.customers.types import Customer, CustomerConnection, CustomerEdge, Viewer
from resolvers.nodes import resolve_node
from resolvers.privacy.dataloaders import prime_granted_purposes

Info = strawberry.Info[Context, None]


@strawberry.type
class CustomerQueries:
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info.context, id)

    @strawberry.field(description="Who is calling.")
    def viewer(self, info: Info) -> Viewer:
        caller = info.context.caller
        return Viewer(subject=caller.subject, role=caller.role)

    @strawberry.field(description="A customer by id; a merged-away id resolves to the survivor.")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        return await load_customer(info.context, decode_id(id, "Customer"))

    @strawberry.field(description="Normalized lookup: any format of the same phone or email finds the customer.")
    async def customer_by_identifier(self, info: Info, kind: IdentifierKind, value: str) -> Customer | None:
        try:
            normalized = normalize_identifier(kind.value, value, info.context.settings.default_region)
        except ValueError:
            return None
        customer_id = await info.context.scalar(sql.customer_ids_by_identifier(kind.value, normalized))
        return None if customer_id is None else await load_customer(info.context, customer_id)

    @strawberry.field(description="Customers in id order, filtered; at most 100 per page.")
    async def customers(
        self, info: Info, filter: CustomerFilter | None = None, first: int | None = 20, after: str | None = None
    ) -> CustomerConnection:
        first = check_first(first)
        if filter is not None:
            raise InvalidInput("customer filters arrive with the read-side issue")
        ctx = info.context
        conditions = visible_customer_conditions(ctx.caller.role)
        cursor = decode_cursor(after)
        rows = await ctx.rows(sql.customer_page(conditions, cursor[0] if cursor else None, first + 1))
        page = rows[:first]
        await prime_granted_purposes(ctx, [r.id for r in page])
        edges = [CustomerEdge(cursor=encode_cursor(r.id), node=Customer(row=r)) for r in page]

        async def total(context: Context) -> int:
            return int(await context.scalar(sql.customer_count(conditions)))

        return CustomerConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count_query=total,
        )
