"""Saved segments, evaluated live with the same filter code as `customers(filter:)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from resolvers.common.ids import encode_id
from resolvers.common.node import Node
from resolvers.common.pending import not_implemented
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

    @strawberry.field
    async def member_count(self, info: Info) -> int:
        not_implemented("Segment.memberCount")

    @strawberry.field
    async def members(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[CustomerConnection, strawberry.lazy("resolvers.customers.types")]:
        not_implemented("Segment.members")
