"""Building the GraphQL LoyaltyAccount and Tier from the loyalty queries' rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import utcnow
from domain.loyalty.queries import account_summary
from resolvers.common.scalars import money
from resolvers.loyalty.types import LoyaltyAccount, Tier


def tier_from_row(row: Any) -> Tier:
    return Tier(
        code=row.code,
        name=row.name,
        min_spend_12m=money(row.min_spend_12m_cents),
        points_multiplier=float(row.points_multiplier),
    )


def account_from_row(row: Any) -> LoyaltyAccount:
    return LoyaltyAccount(
        customer_id=int(row.customer_id),
        tier=tier_from_row(row),
        points_balance=int(row.points_balance),
        points_expiring_within30_days=int(row.points_expiring_30d),
        spend12m=money(int(row.spend_12m_cents)),
    )


async def load_account(conn: AsyncConnection, customer_id: int) -> LoyaltyAccount:
    row = (await conn.execute(account_summary(customer_id, utcnow()))).one()
    return account_from_row(row)
