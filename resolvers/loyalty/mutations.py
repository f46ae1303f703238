"""Loyalty mutations."""

from __future__ import annotations

import strawberry

from domain.loyalty import redeem
from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.common.ids import decode_id
from resolvers.context import Context
from resolvers.loyalty.accounts import load_account
from resolvers.loyalty.types import LoyaltyAccount

Info = strawberry.Info[Context, None]


@strawberry.type
class PointsPayload:
    account: LoyaltyAccount | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LoyaltyMutations:
    @perm.guarded_mutation(perm.POINTS, "redeem points", "Spends points, oldest first; never below zero.")
    async def redeem_points(self, info: Info, customer_id: strawberry.ID, points: int, reason: str) -> PointsPayload:
        async with info.context.transaction() as conn:
            survivor = await redeem.redeem_points(
                conn, decode_id(customer_id, "Customer", "customerId"), points, reason, role=info.context.caller.role
            )
            account = await load_account(conn, survivor)
        return PointsPayload(account=account)
