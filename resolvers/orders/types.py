"""Order, OrderLine, OrderStats and the order connection."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from resolvers.common.connections import Count, PageRequest, page_of
from resolvers.common.enums import Channel
from resolvers.common.ids import encode_id
from resolvers.common.node import Node, PageInfo
from resolvers.common.scalars import money
from resolvers.context import Context
from resolvers.orders.dataloaders import LinesByOrderLoader, OrderCountsByCustomerLoader, OrdersByCustomerLoader

if TYPE_CHECKING:
    from resolvers.customers.types import Customer

Info = strawberry.Info[Context, None]


@strawberry.type
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price: decimal.Decimal


@strawberry.type(description="Order totals over the customer's orders that were not returned.")
class OrderStats:
    order_count: int
    total_spent: decimal.Decimal
    average_order_value: decimal.Decimal
    first_order_at: dt.datetime | None
    last_order_at: dt.datetime | None


@strawberry.type(description="An order placed on a channel by one of the customer's profiles.")
class Order(Node):
    row: strawberry.Private[Any]

    @property
    def customer_id(self) -> int:
        return int(self.row.customer_id)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Order", self.row.id))

    @strawberry.field
    def channel(self) -> Channel:
        return Channel(self.row.channel)

    @strawberry.field
    def external_id(self) -> str:
        return str(self.row.external_id)

    @strawberry.field
    def store_code(self) -> str | None:
        return self.row.store_code  # type: ignore[no-any-return]

    @strawberry.field
    def placed_at(self) -> dt.datetime:
        return self.row.placed_at  # type: ignore[no-any-return]

    @strawberry.field
    def total(self) -> decimal.Decimal:
        return money(self.row.total_cents)

    @strawberry.field
    def currency(self) -> str:
        return str(self.row.currency)

    @strawberry.field(description="e.g. PLACED, RETURNED")
    def status(self) -> str:
        return str(self.row.status)

    @strawberry.field
    async def lines(self, info: Info) -> list[OrderLine]:
        rows = await info.context.loader(LinesByOrderLoader).load(self.row.id)
        return [
            OrderLine(sku=r.sku, name=r.name, quantity=r.quantity, unit_price=money(r.unit_price_cents)) for r in rows
        ]

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("resolvers.customers.types")]:
        from resolvers.customers.lookup import load_customer

        customer = await load_customer(info.context, self.row.customer_id)
        if customer is None:  # only reachable through a customer the caller sees
            raise LookupError("order without a visible customer")
        return customer


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo
    count: strawberry.Private[Count]

    @strawberry.field(description="Orders matching the filters (loaded only when selected).")
    async def total_count(self, info: Info) -> int:
        return await self.count(info.context)

    @classmethod
    async def of_customer(cls, ctx: Context, customer_id: int, request: PageRequest) -> OrderConnection:
        rows = await ctx.loader(OrdersByCustomerLoader).load(request.key(customer_id))
        edges, page_info = page_of(rows, request, "placed_at", lambda r: Order(row=r))
        return cls(
            edges=[OrderEdge(cursor=c, node=n) for c, n in edges],
            page_info=page_info,
            count=request.counter(OrderCountsByCustomerLoader, customer_id),
        )


def order_stats(row: Any) -> OrderStats:
    """From the customer row's denormalized columns (orders not RETURNED)."""
    count = int(row.order_count or 0)
    total = money(row.total_spent_cents)
    average = (total / count).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP) if count else money(0)
    return OrderStats(
        order_count=count,
        total_spent=total,
        average_order_value=average,
        first_order_at=row.first_order_at,
        last_order_at=row.last_order_at,
    )
