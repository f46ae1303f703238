"""Loyalty mutations."""

from __future__ import annotations

import strawberry

from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.common.pending import not_implemented
from resolvers.context import Context
from resolvers.loyalty.types import LoyaltyAccount

Info = strawberry.Info[Context, None]


@strawberry.type
class PointsPayload:
    account: LoyaltyAccount | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LoyaltyMutations:
    @perm.guarded_mutation(perm.POINTS, "redeem points")
    async def redeem_points(self, info: Info, customer_id: strawberry.ID, points: int, reason: str) -> PointsPayload:
        not_implemented("redeemPoints")
