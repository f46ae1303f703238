"""Loading one customer the way every entry point must: follow merge redirects, then apply
the caller's visibility (a PARTNER sees only customers who granted THIRD_PARTY_SHARING)."""

from __future__ import annotations

from domain.privacy.roles import Role
from resolvers.context import Context
from resolvers.customers.dataloaders import CustomerByIdLoader, SurvivorByMergedIdLoader
from resolvers.customers.types import Customer


async def load_customer(ctx: Context, customer_id: int) -> Customer | None:
    row = await ctx.loader(CustomerByIdLoader).load(customer_id)
    if row is None:
        redirect = await ctx.loader(SurvivorByMergedIdLoader).load(customer_id)
        if redirect is None:
            return None
        row = await ctx.loader(CustomerByIdLoader).load(redirect.customer_id)
        if row is None:
            return None
    if ctx.caller.role is Role.PARTNER and not await partner_may_see(ctx, row.id):
        return None
    return Customer(row=row)


async def partner_may_see(ctx: Context, customer_id: int) -> bool:
    from resolvers.privacy.dataloaders import GrantedPurposesByCustomerLoader

    granted = await ctx.loader(GrantedPurposesByCustomerLoader).load(customer_id)
    return "THIRD_PARTY_SHARING" in granted
