"""Recording an order, idempotent by (channel, externalId)."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

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

orders = table_of(Order)
lines = table_of(OrderLine)
profiles = table_of(ChannelProfile)
MAX_KEY = 200  # the width of the external_id columns
CENT = decimal.Decimal("0.01")
MAX_PRICE = decimal.Decimal(10) ** 12


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


@dataclass(frozen=True)
class RecordResult:
    order_id: int
    customer_id: int
    created: bool


def to_cents(amount: decimal.Decimal) -> int:
    return int((amount * 100).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))


def validate(data: OrderData) -> None:
    """Every check an order must pass before anything is written (raises InvalidInput)."""
    for name, value in (("externalId", data.external_id), ("customerExternalId", data.customer_external_id)):
        if not value.strip():
            raise InvalidInput(f"{name} must not be empty", field=["input", name])
        if len(value.strip()) > MAX_KEY:
            raise InvalidInput(f"{name} is too long", field=["input", name])
    if not data.lines:
        raise InvalidInput("an order needs at least one line", field=["input", "lines"])
    if data.store_code is not None and len(data.store_code) > 50:
        raise InvalidInput("storeCode is longer than 50 characters", field=["input", "storeCode"])
    if len(data.currency) != 3 or not data.currency.isalpha():
        raise InvalidInput("currency must be a 3-letter ISO code", field=["input", "currency"])
    for i, line in enumerate(data.lines):
        if line.quantity <= 0:
            raise InvalidInput("quantity must be positive", field=["input", "lines", str(i), "quantity"])
        if line.unit_price < 0:
            raise InvalidInput("unitPrice must not be negative", field=["input", "lines", str(i), "unitPrice"])
        if len(line.sku) > 100 or len(line.name) > 300:
            raise InvalidInput("sku or name is too long", field=["input", "lines", str(i)])
        if abs(line.unit_price) >= MAX_PRICE or line.unit_price != line.unit_price.quantize(CENT):
            raise InvalidInput("unitPrice has more than 2 decimals", field=["input", "lines", str(i), "unitPrice"])
        if not line.sku.strip():
            raise InvalidInput("sku must not be empty", field=["input", "lines", str(i), "sku"])


async def record_order(
    conn: AsyncConnection, data: OrderData, rules: IdentityRules = DEFAULT_RULES, writer: Writer = OPERATOR
) -> RecordResult:
    validate(data)
    external_id, buyer_id = data.external_id.strip(), data.customer_external_id.strip()
    await lock_keys(
        conn, [order_key(data.channel, external_id), identifier_key("EXTERNAL_ID", f"{data.channel}:{buyer_id}")]
    )
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
    total = sum(to_cents(line.unit_price) * line.quantity for line in data.lines)
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
                total_cents=total,
                currency=data.currency.upper(),
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
