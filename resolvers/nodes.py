"""`node(id)`: decode a global id and load the object through its area's loader."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from resolvers.common.ids import decode_any
from resolvers.common.node import Node
from resolvers.context import Context


async def _customer(ctx: Context, pk: int) -> Any:
    from resolvers.customers.lookup import load_customer

    return await load_customer(ctx, pk)


async def _profile(ctx: Context, pk: int) -> Any:
    from domain.privacy.roles import Role
    from resolvers.customers.dataloaders import ProfileByIdLoader
    from resolvers.customers.lookup import partner_may_see
    from resolvers.customers.types import ChannelProfile

    row = await ctx.loader(ProfileByIdLoader).load(pk)
    if row is None or (ctx.caller.role is Role.PARTNER and not await partner_may_see(ctx, row.customer_id)):
        return None
    return ChannelProfile(row=row)


LOADERS: dict[str, Callable[[Context, int], Awaitable[Any]]] = {
    "Customer": _customer,
    "ChannelProfile": _profile,
}


async def resolve_node(ctx: Context, global_id: str) -> Node | None:
    type_name, pk = decode_any(global_id)
    load = LOADERS.get(type_name)
    return None if load is None else await load(ctx, pk)
