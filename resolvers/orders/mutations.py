"""Order mutations."""

from __future__ import annotations

import strawberry

from domain.orders.record import record_order
from domain.privacy.access import Writer
from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.context import Context
from resolvers.customers.lookup import caller_may_see
from resolvers.customers.mutations import identity_rules
from resolvers.orders.dataloaders import OrderByIdLoader
from resolvers.orders.inputs import OrderInput
from resolvers.orders.types import Order

Info = strawberry.Info[Context, None]


@strawberry.type
class RecordOrderPayload:
    order: Order | None = None
    created: bool = strawberry.field(default=False, description="False when this order key was recorded before.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrderMutations:
    @perm.guarded_mutation(
        perm.INGEST,
        "record orders",
        "Idempotent by (channel, externalId); an unknown buyer (channel, customerExternalId) becomes a new "
        "profile. An order of a customer the caller may not see is recorded and answers `order` null.",
    )
    async def record_order(self, info: Info, input: OrderInput) -> RecordOrderPayload:
        ctx, data, rules = info.context, input.to_domain(), identity_rules(info.context)
        writer = Writer(ctx.caller.role)
        result = await ctx.write(lambda conn: record_order(conn, data, rules, writer))
        row = await ctx.loader(OrderByIdLoader).load(result.order_id)  # read after the commit
        if row is None or not await caller_may_see(ctx, row.customer_id):
            return RecordOrderPayload(order=None, created=result.created)
        return RecordOrderPayload(order=Order(row=row), created=result.created)
