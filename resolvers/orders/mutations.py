"""Order mutations."""

from __future__ import annotations

import strawberry

from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.common.pending import not_implemented
from resolvers.context import Context
from resolvers.orders.inputs import OrderInput
from resolvers.orders.types import Order

Info = strawberry.Info[Context, None]


@strawberry.type
class RecordOrderPayload:
    order: Order | None = None
    created: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrderMutations:
    @perm.guarded_mutation(perm.INGEST, "record orders")
    async def record_order(self, info: Info, input: OrderInput) -> RecordOrderPayload:
        not_implemented("recordOrder")
