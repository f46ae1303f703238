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
    from resolvers.customers.dataloaders import ProfileByIdLoader
    from resolvers.customers.types import ChannelProfile

    row = await _owned(ctx, await ctx.loader(ProfileByIdLoader).load(pk))
    return None if row is None else ChannelProfile(row=row)


async def _owned(ctx: Context, row: Any) -> Any:
    """`row` when its customer is visible to the caller (`caller_may_see`)."""
    from resolvers.customers.lookup import caller_may_see

    if row is None or not await caller_may_see(ctx, row.customer_id):
        return None
    return row


async def _order(ctx: Context, pk: int) -> Any:
    from resolvers.orders.dataloaders import OrderByIdLoader
    from resolvers.orders.types import Order

    row = await _owned(ctx, await ctx.loader(OrderByIdLoader).load(pk))
    return None if row is None else Order(row=row)


async def _ticket(ctx: Context, pk: int) -> Any:
    from resolvers.service.dataloaders import TicketByIdLoader
    from resolvers.service.types import Ticket

    row = await _owned(ctx, await ctx.loader(TicketByIdLoader).load(pk))
    return None if row is None else Ticket(row=row)


async def _feedback(ctx: Context, pk: int) -> Any:
    from resolvers.feedback.dataloaders import FeedbackByIdLoader
    from resolvers.feedback.types import Feedback

    row = await _owned(ctx, await ctx.loader(FeedbackByIdLoader).load(pk))
    return None if row is None else Feedback(row=row)


async def _segment(ctx: Context, pk: int) -> Any:
    from resolvers.segments.dataloaders import SegmentByIdLoader
    from resolvers.segments.types import Segment

    row = await ctx.loader(SegmentByIdLoader).load(pk)
    return None if row is None else Segment(row=row)


async def _job(ctx: Context, pk: int) -> Any:
    from resolvers.jobs.types import load_job

    return await load_job(ctx, pk)


LOADERS: dict[str, Callable[[Context, int], Awaitable[Any]]] = {
    "Customer": _customer,
    "ChannelProfile": _profile,
    "Order": _order,
    "Ticket": _ticket,
    "Feedback": _feedback,
    "Segment": _segment,
    "Job": _job,
}


async def resolve_node(ctx: Context, global_id: str) -> Node | None:
    type_name, pk = decode_any(global_id)
    load = LOADERS.get(type_name)
    return None if load is None else await load(ctx, pk)
