"""Root query fields of the customers area."""

from __future__ import annotations

import strawberry

from domain.base import utcnow
from domain.customers import queries as sql
from domain.customers.filters import filter_conditions
from domain.customers.identifiers import normalize_identifier
from domain.privacy.access import visible_conditions
from resolvers.common.enums import IdentifierKind
from resolvers.common.ids import decode_id
from resolvers.common.node import Node
from resolvers.context import Context
from resolvers.customers.connection import customer_connection
from resolvers.customers.inputs import CustomerFilter
from resolvers.customers.lookup import load_customer
from resolvers.customers.types import Customer, CustomerConnection, Viewer
from resolvers.nodes import resolve_node

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

    @strawberry.field(
        description="Normalized lookup: any format of the same phone or email finds the customer. It matches "
        "only customers whose value the caller reads in clear (an ANALYST never finds anyone by it; a "
        "MARKETER only customers who granted MARKETING)."
    )
    async def customer_by_identifier(self, info: Info, kind: IdentifierKind, value: str) -> Customer | None:
        try:
            normalized = normalize_identifier(kind.value, value, info.context.settings.default_region)
        except ValueError:
            return None
        role = info.context.caller.role
        customer_id = await info.context.scalar(sql.customer_ids_by_identifier(kind.value, normalized, role))
        return None if customer_id is None else await load_customer(info.context, customer_id)

    @strawberry.field(description="Customers in id order, filtered; at most 100 per page.")
    async def customers(
        self, info: Info, filter: CustomerFilter | None = None, first: int | None = 20, after: str | None = None
    ) -> CustomerConnection:
        ctx = info.context
        conditions = visible_conditions(ctx.caller.role)
        if filter is not None:
            spec = filter.to_spec().check(["filter"])
            conditions += filter_conditions(
                spec, role=ctx.caller.role, default_region=ctx.settings.default_region, now=utcnow()
            )
        return await customer_connection(ctx, conditions, first, after)
