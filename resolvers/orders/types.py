"""Order, OrderLine, OrderStats and the order connection."""

from __future__ import annotations

import datetime as dt
import decimal
import operator
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from resolvers.common.connections import Count, PageRequest, edge_cursor, page_of
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


def _order_id(self: Any) -> strawberry.ID:
    return strawberry.ID(encode_id("Order", self.row.id))


def _channel(self: Any) -> Channel:
    return Channel(self.row.channel)


def _total(self: Any) -> decimal.Decimal:
    return money(self.row.total_cents)


def _column(name: str) -> Any:
    """A resolver reading one column of the order's row."""
    getter = operator.attrgetter(name)

    def read(self: Any) -> Any:
        return getter(self.row)

    return read


@strawberry.type(description="An order placed on a channel by one of the customer's profiles.")
class Order(Node):
    """Built from an orders row: `Order(row=r)`. Each field reads the row when it is selected
    (a self-only resolver: the fast and compiled executors call it directly), so building an
    order costs one attribute and a list read pays only for the fields it asks for."""

    row: strawberry.Private[Any]
    id: strawberry.ID = strawberry.field(resolver=_order_id)
    channel: Channel = strawberry.field(resolver=_channel)
    external_id: str = strawberry.field(resolver=_column("external_id"))
    store_code: str | None = strawberry.field(resolver=_column("store_code"))
    placed_at: dt.datetime = strawberry.field(resolver=_column("placed_at"))
    total: decimal.Decimal = strawberry.field(resolver=_total)
    currency: str = strawberry.field(resolver=_column("currency"))
    status: str = strawberry.field(resolver=_column("status"), description="e.g. PLACED, RETURNED")

    @property
    def customer_id(self) -> int:
        return int(self.row.customer_id)

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
    cursor: str = strawberry.field(resolver=edge_cursor("placed_at"))
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
        nodes, page_info = page_of(rows, request, "placed_at", lambda r: Order(row=r))
        return cls(
            edges=[OrderEdge(node=n) for n in nodes],
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
