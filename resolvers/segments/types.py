"""Saved segments, evaluated live with the same filter code as `customers(filter:)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import ColumnElement

from domain.base import utcnow
from domain.customers import queries as customer_sql
from domain.customers.filters import CustomerFilterSpec, filter_conditions
from domain.privacy.access import visible_conditions
from resolvers.common.ids import encode_id
from resolvers.common.node import Node
from resolvers.context import Context

if TYPE_CHECKING:
    from resolvers.customers.types import CustomerConnection

Info = strawberry.Info[Context, None]


@strawberry.type(description="A saved CustomerFilter.")
class Segment(Node):
    row: strawberry.Private[Any]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Segment", self.row.id))

    @strawberry.field
    def name(self) -> str:
        return str(self.row.name)

    def conditions(self, ctx: Context) -> list[ColumnElement[bool]]:
        """The same conditions `customers(filter:)` would use for the saved filter."""
        spec = CustomerFilterSpec.from_dict(dict(self.row.filter or {}))
        return visible_conditions(ctx.caller.role) + filter_conditions(
            spec, role=ctx.caller.role, default_region=ctx.settings.default_region, now=utcnow()
        )

    @strawberry.field(description="Customers in the segment now (the caller's visibility applies).")
    async def member_count(self, info: Info) -> int:
        return int(await info.context.scalar(customer_sql.customer_count(self.conditions(info.context))))

    @strawberry.field
    async def members(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[CustomerConnection, strawberry.lazy("resolvers.customers.types")]:
        from resolvers.customers.connection import customer_connection

        return await customer_connection(info.context, self.conditions(info.context), first, after)
