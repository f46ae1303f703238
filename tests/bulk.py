"""A fast, uniform data set for statement-budget tests and benchmarks: every customer has the same
shape (profiles, identifiers, 12 orders of 2 lines, tickets, feedback, points, scores, consents,
a merge event), inserted with executemany and explicit ids (read-only use: sequences are not
advanced)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import table_of
from domain.customers.filters import CustomerFilterSpec
from domain.customers.models import ChannelProfile, Customer, Identifier, MergeEvent
from domain.feedback.models import Feedback
from domain.loyalty.models import LoyaltyAccount, PointsEntry
from domain.orders.models import Order, OrderLine
from domain.privacy.models import ConsentRecord, CurrentConsent
from domain.scoring.models import CustomerScore
from domain.segments.models import Segment
from domain.service.models import Ticket

ORDERS_PER_CUSTOMER = 12
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _rows(customers: int) -> dict[Any, list[dict[str, Any]]]:
    rows: dict[Any, list[dict[str, Any]]] = {
        m: []
        for m in (
            Customer,
            ChannelProfile,
            Identifier,
            Order,
            OrderLine,
            Ticket,
            Feedback,
            PointsEntry,
            LoyaltyAccount,
            CustomerScore,
            CurrentConsent,
            ConsentRecord,
            MergeEvent,
        )
    }
    for c in range(1, customers + 1):
        since = NOW - dt.timedelta(days=400)
        placed = [NOW - dt.timedelta(days=30 * k + c % 7, minutes=c) for k in range(ORDERS_PER_CUSTOMER)]
        rows[Customer].append(
            {
                "id": c,
                "created_at": since,
                "updated_at": since,
                "display_name": f"Customer {c:05d}",
                "email": f"user{c:05d}@example.com",
                "phone": f"+86139{c:08d}",
                "country": "CN",
                "city": "Shanghai",
                "order_count": ORDERS_PER_CUSTOMER,
                "total_spent_cents": ORDERS_PER_CUSTOMER * 25000,
                "first_order_at": min(placed),
                "last_order_at": max(placed),
            }
        )
        for p, channel in enumerate(("WEB", "APP")):
            pid = 2 * c - 1 + p
            rows[ChannelProfile].append(
                {
                    "id": pid,
                    "customer_id": c,
                    "channel": channel,
                    "external_id": f"{channel}-{c:05d}",
                    "display_name": f"Customer {c:05d}",
                    "email": f"user{c:05d}@example.com",
                    "first_seen_at": since,
                    "last_seen_at": since,
                }
            )
            for kind, value in (("EXTERNAL_ID", f"{channel}:{channel}-{c:05d}"), ("EMAIL", f"user{c:05d}@example.com")):
                rows[Identifier].append(
                    {"customer_id": c, "profile_id": pid, "kind": kind, "value": value, "verified": False}
                )
        for k, at in enumerate(placed):
            oid = (c - 1) * ORDERS_PER_CUSTOMER + k + 1
            rows[Order].append(
                {
                    "id": oid,
                    "customer_id": c,
                    "profile_id": 2 * c - 1,
                    "channel": "WEB",
                    "external_id": f"O-{oid}",
                    "placed_at": at,
                    "total_cents": 25000,
                    "currency": "CNY",
                    "status": "PLACED",
                }
            )
            for sku, cents in (("SKU-A", 10000), ("SKU-B", 15000)):
                rows[OrderLine].append(
                    {
                        "order_id": oid,
                        "customer_id": c,
                        "sku": sku,
                        "name": sku,
                        "quantity": 1,
                        "unit_price_cents": cents,
                    }
                )
        for t, status in enumerate(("OPEN", "RESOLVED", "CLOSED")):
            opened = NOW - dt.timedelta(days=10 * t + 1)
            rows[Ticket].append(
                {
                    "id": 3 * c - 2 + t,
                    "customer_id": c,
                    "category": "SERVICE",
                    "requested_priority": "NORMAL",
                    "priority": "NORMAL",
                    "status": status,
                    "channel": "WEB",
                    "subject": f"Ticket {t}",
                    "opened_at": opened,
                    "first_response_due_at": opened + dt.timedelta(hours=2),
                    "resolution_due_at": opened + dt.timedelta(hours=48),
                }
            )
        for k, kind in enumerate(("CSAT", "NPS", "REVIEW")):
            rows[Feedback].append(
                {
                    "customer_id": c,
                    "kind": kind,
                    "score": 5,
                    "channel": "WEB",
                    "submitted_at": NOW - dt.timedelta(days=k + 1),
                    "order_id": (c - 1) * ORDERS_PER_CUSTOMER + 1,
                    "ticket_id": 3 * c - 2,
                }
            )
        for k, delta in enumerate((250, 250, -100)):
            rows[PointsEntry].append(
                {
                    "customer_id": c,
                    "at": NOW - dt.timedelta(days=300 - 100 * k),
                    "delta": delta,
                    "reason": "order" if delta > 0 else "redeemed",
                    "expires_at": NOW + dt.timedelta(days=65 + 100 * k) if delta > 0 else None,
                    "remaining": max(delta, 0),
                }
            )
        if c % 2 == 0:
            rows[LoyaltyAccount].append({"customer_id": c, "tier_code": "GOLD", "tier_since": since})
        rows[CustomerScore].append(
            {
                "customer_id": c,
                "as_of": NOW,
                "computed_at": NOW,
                "recency_days": 5,
                "frequency": 12,
                "monetary_cents": 300000,
                "r": 5,
                "f": 5,
                "m": 4,
                "rfm_segment": "CHAMPIONS",
                "historic_cents": 300000,
                "predicted_12m_cents": 100000,
                "expected_purchases_12m": 4.0,
                "probability_alive": 0.9,
                "churn_risk": 0.1,
                "lifecycle_stage": "MATURE",
                "value_tier": "HIGH" if c % 5 == 0 else "MEDIUM",
            }
        )
        for purpose in ("MARKETING", "THIRD_PARTY_SHARING"):
            decision = {"customer_id": c, "purpose": purpose, "granted": True, "source": "WEB", "trusted": True}
            rows[CurrentConsent].append({**decision, "updated_at": since})
            rows[ConsentRecord].append({**decision, "recorded_at": since})
        rows[MergeEvent].append(
            {"customer_id": c, "at": since, "kind": "MERGE", "rule": "EMAIL", "profile_ids": [2 * c - 1, 2 * c]}
        )
    return rows


async def seed_uniform(engine: AsyncEngine, *, customers: int) -> None:
    """`customers` customers of identical shape, plus two saved segments."""
    async with engine.begin() as conn:
        for model, rows in _rows(customers).items():
            if rows:
                await conn.execute(insert(table_of(model)), rows)
        await conn.execute(
            insert(table_of(Segment)),
            [
                {"name": "Web shoppers", "filter": CustomerFilterSpec(channel="WEB").to_dict(), "created_by": "bench"},
                {"name": "Gold", "filter": CustomerFilterSpec(tier_code="GOLD").to_dict(), "created_by": "bench"},
            ],
        )
