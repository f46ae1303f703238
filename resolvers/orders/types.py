"""Order, OrderLine, OrderStats and the order connection."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from resolvers.common.enums import Channel
from resolvers.common.ids import encode_id
from resolvers.common.node import Node, PageInfo
from resolvers.common.pending import not_implemented
from resolvers.common.scalars import money
from resolvers.context import Context

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
        not_implemented("Order.lines")

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("resolvers.customers.types")]:
        not_implemented("Order.customer")


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo
    total_count: int
