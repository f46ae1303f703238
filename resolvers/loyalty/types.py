"""Tier, PointsEntry and LoyaltyAccount."""

from __future__ import annotations

import datetime as dt
import decimal

import strawberry

from resolvers.common.pending import not_implemented
from resolvers.context import Context

Info = strawberry.Info[Context, None]


@strawberry.type(description="A loyalty tier (data): reached by spend over the last 365 days.")
class Tier:
    code: str
    name: str
    min_spend_12m: decimal.Decimal
    points_multiplier: float


@strawberry.type
class PointsEntry:
    at: dt.datetime
    delta: int
    reason: str
    expires_at: dt.datetime | None


@strawberry.type
class LoyaltyAccount:
    customer_id: strawberry.Private[int]
    tier: Tier
    points_balance: int
    points_expiring_within30_days: int = strawberry.field(name="pointsExpiringWithin30Days")
    spend12m: decimal.Decimal = strawberry.field(name="spend12m")

    @strawberry.field
    async def ledger(self, info: Info, first: int | None = 20, after: str | None = None) -> list[PointsEntry]:
        not_implemented("LoyaltyAccount.ledger")
