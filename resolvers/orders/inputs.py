"""Order inputs."""

from __future__ import annotations

import datetime as dt
import decimal

import strawberry

from domain.orders.record import LineData, OrderData
from resolvers.common.enums import Channel


@strawberry.input
class OrderLineInput:
    sku: str
    name: str
    quantity: int
    unit_price: decimal.Decimal


@strawberry.input(description="An order; (channel, externalId) makes recording it idempotent.")
class OrderInput:
    channel: Channel
    external_id: str = strawberry.field(description="Idempotency key together with channel.")
    customer_external_id: str = strawberry.field(description="The buyer's externalId on the same channel.")
    placed_at: dt.datetime
    lines: list[OrderLineInput]
    store_code: str | None = None
    currency: str = "CNY"

    def to_domain(self) -> OrderData:
        return OrderData(
            channel=self.channel.value,
            external_id=self.external_id,
            customer_external_id=self.customer_external_id,
            placed_at=self.placed_at,
            lines=tuple(LineData(ln.sku, ln.name, ln.quantity, ln.unit_price) for ln in self.lines),
            store_code=self.store_code,
            currency=self.currency,
        )
