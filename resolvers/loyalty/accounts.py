"""The LoyaltyAccount of one customer, read inside a write transaction (after a redemption)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import utcnow
from domain.loyalty.queries import ACCOUNTS_BY_CUSTOMER_IDS, account_params
from resolvers.loyalty.types import LoyaltyAccount


async def load_account(conn: AsyncConnection, customer_id: int) -> LoyaltyAccount:
    row = (await conn.execute(ACCOUNTS_BY_CUSTOMER_IDS, account_params([customer_id], utcnow()))).one()
    return LoyaltyAccount.of(row)
