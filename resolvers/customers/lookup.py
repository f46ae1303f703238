"""Loading one customer the way every entry point must: follow merge redirects, then apply
the caller's visibility (`domain.privacy.masking.may_see`: a PARTNER sees only customers who
granted THIRD_PARTY_SHARING through a trusted writer, see domain/privacy/access.py)."""

from __future__ import annotations

from domain.privacy.masking import may_see, visibility_purpose
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
    if not await caller_may_see(ctx, row.id):
        return None
    return Customer(row=row)


async def caller_may_see(ctx: Context, customer_id: int) -> bool:
    """Whether the caller may see the customer (a survivor id) at all; no SQL for staff."""
    from resolvers.privacy.dataloaders import GrantedPurposesByCustomerLoader

    if visibility_purpose(ctx.caller.role) is None:
        return True
    return may_see(ctx.caller.role, await ctx.loader(GrantedPurposesByCustomerLoader).load(customer_id))
