"""Tier, PointsEntry and LoyaltyAccount."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import strawberry

from resolvers.common.connections import PageRequest, time_cursor
from resolvers.common.scalars import money
from resolvers.context import Context
from resolvers.loyalty.dataloaders import LedgerByCustomerLoader

Info = strawberry.Info[Context, None]


@strawberry.type(description="A loyalty tier (data): reached by spend over the last 365 days.")
class Tier:
    code: str
    name: str
    min_spend_12m: decimal.Decimal
    points_multiplier: float

    @classmethod
    def of(cls, row: Any) -> Tier:
        return cls(
            code=row.code,
            name=row.name,
            min_spend_12m=money(row.min_spend_12m_cents),
            points_multiplier=float(row.points_multiplier),
        )


@strawberry.type(description="One line of the points ledger: earned (positive) or spent/expired (negative).")
class PointsEntry:
    at: dt.datetime
    delta: int
    reason: str
    expires_at: dt.datetime | None
    cursor: str = strawberry.field(description="Pass as `ledger(after:)` to read the entries older than this one.")


@strawberry.type(description="The customer's tier, points and 12-month spend (MEMBER without an account).")
class LoyaltyAccount:
    customer_id: strawberry.Private[int]
    tier: Tier
    points_balance: int
    points_expiring_within30_days: int = strawberry.field(name="pointsExpiringWithin30Days")
    spend12m: decimal.Decimal = strawberry.field(name="spend12m")

    @classmethod
    def of(cls, row: Any) -> LoyaltyAccount:
        return cls(
            customer_id=row.customer_id,
            tier=Tier(
                code=row.tier_code,
                name=row.tier_name,
                min_spend_12m=money(row.min_spend_12m_cents),
                points_multiplier=float(row.points_multiplier),
            ),
            points_balance=int(row.points_balance),
            points_expiring_within30_days=int(row.points_expiring),
            spend12m=money(row.spend_12m_cents),
        )

    @strawberry.field(description="Newest first; `after` takes an entry's cursor.")
    async def ledger(self, info: Info, first: int | None = 20, after: str | None = None) -> list[PointsEntry]:
        request = PageRequest.of(first, after)
        rows = await info.context.loader(LedgerByCustomerLoader).load(request.key(self.customer_id))
        return [
            PointsEntry(
                at=r.at, delta=r.delta, reason=r.reason, expires_at=r.expires_at, cursor=time_cursor(r.at, r.id)
            )
            for r in rows[: request.first]
        ]
