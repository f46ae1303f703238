"""Recording an order, idempotent by (channel, externalId)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import table_of
from domain.customers.ingest import DEFAULT_RULES, IdentityRules, ProfileData, ingest_profile
from domain.customers.locks import identifier_key, lock_customers, lock_keys, order_key
from domain.customers.models import ChannelProfile
from domain.customers.resolution import current_customer
from domain.db import RetryTransaction
from domain.errors import InvalidInput
from domain.orders.models import Order, OrderLine
from domain.orders.recorded import after_orders_recorded
from domain.privacy.access import OPERATOR, Writer
from domain.privacy.suppression import check_not_suppressed

orders = table_of(Order)
lines = table_of(OrderLine)
profiles = table_of(ChannelProfile)


@dataclass(frozen=True)
class LineData:
    sku: str
    name: str
    quantity: int
    unit_price: decimal.Decimal


@dataclass(frozen=True)
class OrderData:
    channel: str
    external_id: str
    customer_external_id: str
    placed_at: dt.datetime
    lines: tuple[LineData, ...]
    store_code: str | None = None
    currency: str = "CNY"
    status: str = "PLACED"

    @property
    def total_cents(self) -> int:
        return sum(to_cents(line.unit_price) * line.quantity for line in self.lines)


@dataclass(frozen=True)
class RecordResult:
    order_id: int
    customer_id: int
    created: bool


def to_cents(amount: decimal.Decimal) -> int:
    """A validated amount (see `validate`) in minor units."""
    return int(amount.scaleb(2))


def _line(line: LineData, field: list[str]) -> LineData:
    if line.unit_price < 0:
        raise InvalidInput("unitPrice must not be negative", field=[*field, "unitPrice"])
    limits.cents(line.unit_price, [*field, "unitPrice"])
    return LineData(
        sku=limits.text(line.sku, [*field, "sku"], max_length=limits.width(lines.c.sku), required=True),
        name=limits.text(line.name, [*field, "name"], max_length=limits.width(lines.c.name)),
        quantity=limits.quantity(line.quantity, [*field, "quantity"]),
        unit_price=line.unit_price,
    )


def validate(data: OrderData) -> OrderData:
    """Every check an order must pass before anything is written (raises InvalidInput); answers
    the order as it is written (keys and texts trimmed, currency upper-case)."""
    key_width = limits.width(orders.c.external_id)
    external_id = limits.text(data.external_id, ["input", "externalId"], max_length=key_width, required=True)
    buyer = limits.text(data.customer_external_id, ["input", "customerExternalId"], max_length=key_width, required=True)
    limits.moment(data.placed_at, ["input", "placedAt"])
    if not data.lines:
        raise InvalidInput("an order needs at least one line", field=["input", "lines"])
    store_code = limits.optional_text(
        data.store_code, ["input", "storeCode"], max_length=limits.width(orders.c.store_code)
    )
    if len(data.currency) != 3 or not data.currency.isalpha():
        raise InvalidInput("currency must be a 3-letter ISO code", field=["input", "currency"])
    checked = dataclasses.replace(
        data,
        external_id=external_id,
        customer_external_id=buyer,
        store_code=store_code,
        currency=data.currency.upper(),
        lines=tuple(_line(line, ["input", "lines", str(i)]) for i, line in enumerate(data.lines)),
    )
    limits.total_cents(checked.total_cents, ["input", "lines"])
    return checked


def buyer_key(data: OrderData) -> tuple[str, str]:
    """The buyer's (channel, external id), as its profile stores it."""
    return data.channel, data.customer_external_id.strip()


async def record_order(
    conn: AsyncConnection, data: OrderData, rules: IdentityRules = DEFAULT_RULES, writer: Writer = OPERATOR
) -> RecordResult:
    """Record the order (a repeat of its key changes nothing); a buyer key erased on request
    answers CONFLICT, whether or not the order was recorded before the erasure."""
    data = validate(data)
    external_id, buyer_id = data.external_id, data.customer_external_id
    await lock_keys(
        conn, [order_key(data.channel, external_id), identifier_key("EXTERNAL_ID", f"{data.channel}:{buyer_id}")]
    )
    await check_not_suppressed(conn, *buyer_key(data), "customerExternalId")
    existing = (
        await conn.execute(
            select(orders.c.id, orders.c.customer_id).where(
                orders.c.channel == data.channel, orders.c.external_id == external_id
            )
        )
    ).first()
    if existing is not None:  # the first recording of an order key wins; a repeat changes nothing
        return RecordResult(order_id=existing.id, customer_id=existing.customer_id, created=False)
    buyer = (
        await conn.execute(
            select(profiles.c.id, profiles.c.customer_id).where(
                profiles.c.channel == data.channel, profiles.c.external_id == buyer_id
            )
        )
    ).first()
    if buyer is None:
        ingested = await ingest_profile(
            conn, ProfileData(channel=data.channel, external_id=buyer_id, seen_at=data.placed_at), rules, writer
        )
        profile_id, customer_id = ingested.profile_id, ingested.customer_id
    else:
        profile_id, customer_id = buyer.id, buyer.customer_id
        await lock_customers(conn, [customer_id])
        if await current_customer(conn, profile_id) != customer_id:
            raise RetryTransaction  # the buyer's customer was merged away while we waited
    order_id = (
        await conn.execute(
            insert(orders)
            .values(
                customer_id=customer_id,
                profile_id=profile_id,
                channel=data.channel,
                external_id=external_id,
                store_code=data.store_code,
                placed_at=data.placed_at,
                total_cents=data.total_cents,
                currency=data.currency,
                status=data.status,
            )
            .returning(orders.c.id)
        )
    ).scalar_one()
    await conn.execute(
        insert(lines),
        [
            {
                "order_id": order_id,
                "customer_id": customer_id,
                "sku": ln.sku,
                "name": ln.name,
                "quantity": ln.quantity,
                "unit_price_cents": to_cents(ln.unit_price),
            }
            for ln in data.lines
        ],
    )
    await after_orders_recorded(conn, [order_id], [customer_id])  # stats, points, tier, score refresh
    return RecordResult(order_id=order_id, customer_id=customer_id, created=True)
