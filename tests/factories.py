"""Keyword-only helpers that put rows in a test database.

Customers and orders go through the real write services (`ingest_profile`, `record_order`);
tables whose write services live in other areas (tickets, feedback, points, tiers, scores,
segments, models, jobs) get plain Core inserts with sensible defaults.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.customers.filters import CustomerFilterSpec
from domain.customers.ingest import ProfileData, ingest_profile
from domain.feedback.models import Feedback
from domain.jobs.models import Job
from domain.loyalty.models import LoyaltyAccount, PointsEntry
from domain.orders.record import LineData, OrderData, record_order
from domain.privacy.consents import record_consent
from domain.scoring.models import CustomerScore, ScoringModel
from domain.segments.models import Segment
from domain.service.models import Ticket

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


async def create_customer(
    conn: AsyncConnection,
    *,
    channel: str = "WEB",
    external_id: str,
    display_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    member_card: str | None = None,
    seen_at: dt.datetime | None = None,
    consents: tuple[tuple[str, bool], ...] = (),
) -> int:
    result = await ingest_profile(
        conn,
        ProfileData(
            channel=channel,
            external_id=external_id,
            display_name=display_name,
            email=email,
            phone=phone,
            member_card=member_card,
            seen_at=seen_at or days_ago(400),
            consents=consents,
        ),
    )
    return result.customer_id


async def create_order(
    conn: AsyncConnection,
    *,
    channel: str = "WEB",
    customer_external_id: str,
    external_id: str,
    placed_at: dt.datetime,
    lines: tuple[tuple[str, str, int, str], ...] = (("SKU-1", "Tee", 1, "100.00"),),
    status: str = "PLACED",
    store_code: str | None = None,
) -> int:
    result = await record_order(
        conn,
        OrderData(
            channel=channel,
            external_id=external_id,
            customer_external_id=customer_external_id,
            placed_at=placed_at,
            lines=tuple(LineData(sku=s, name=n, quantity=q, unit_price=decimal.Decimal(p)) for s, n, q, p in lines),
            status=status,
            store_code=store_code,
        ),
    )
    return result.order_id


async def _insert(conn: AsyncConnection, model: Any, values: dict[str, Any]) -> int:
    table = table_of(model)
    pk = next(iter(table.primary_key.columns))
    return int((await conn.execute(insert(table).values(**values).returning(pk))).scalar_one())


async def create_ticket(
    conn: AsyncConnection,
    *,
    customer_id: int,
    opened_at: dt.datetime,
    category: str = "SERVICE",
    priority: str = "NORMAL",
    status: str = "OPEN",
    channel: str = "WEB",
    subject: str = "Where is my parcel?",
    first_response_at: dt.datetime | None = None,
    resolved_at: dt.datetime | None = None,
    first_response_due_at: dt.datetime | None = None,
    resolution_due_at: dt.datetime | None = None,
) -> int:
    return await _insert(
        conn,
        Ticket,
        {
            "customer_id": customer_id,
            "category": category,
            "requested_priority": priority,
            "priority": priority,
            "status": status,
            "channel": channel,
            "subject": subject,
            "opened_at": opened_at,
            "first_response_at": first_response_at,
            "resolved_at": resolved_at,
            "first_response_due_at": first_response_due_at or opened_at + dt.timedelta(hours=2),
            "resolution_due_at": resolution_due_at or opened_at + dt.timedelta(hours=48),
        },
    )


async def create_feedback(
    conn: AsyncConnection,
    *,
    customer_id: int,
    submitted_at: dt.datetime,
    kind: str = "CSAT",
    score: int = 9,
    comment: str | None = None,
    channel: str = "WEB",
    order_id: int | None = None,
    ticket_id: int | None = None,
) -> int:
    return await _insert(
        conn,
        Feedback,
        {
            "customer_id": customer_id,
            "kind": kind,
            "score": score,
            "comment": comment,
            "channel": channel,
            "submitted_at": submitted_at,
            "order_id": order_id,
            "ticket_id": ticket_id,
        },
    )


async def create_points_entry(
    conn: AsyncConnection,
    *,
    customer_id: int,
    at: dt.datetime,
    delta: int,
    reason: str = "order",
    expires_at: dt.datetime | None = None,
    remaining: int | None = None,
) -> int:
    return await _insert(
        conn,
        PointsEntry,
        {
            "customer_id": customer_id,
            "at": at,
            "delta": delta,
            "reason": reason,
            "expires_at": expires_at,
            "remaining": max(delta, 0) if remaining is None else remaining,
        },
    )


async def set_tier(conn: AsyncConnection, *, customer_id: int, tier_code: str) -> None:
    """Put the customer in a tier (replacing the account orders may already have opened)."""
    accounts = table_of(LoyaltyAccount)
    await conn.execute(delete(accounts).where(accounts.c.customer_id == customer_id))
    await conn.execute(
        insert(table_of(LoyaltyAccount)).values(customer_id=customer_id, tier_code=tier_code, tier_since=NOW)
    )


async def grant(
    conn: AsyncConnection, *, customer_id: int, purpose: str, granted: bool = True, at: dt.datetime | None = None
) -> None:
    """Record a consent decision (a withdrawal with granted=False) through the privacy service."""
    await record_consent(
        conn, customer_id=customer_id, purpose=purpose, granted=granted, source="test", trusted=True, at=at or NOW
    )


async def create_scores(
    conn: AsyncConnection,
    *,
    customer_id: int,
    rfm_segment: str | None = "LOYAL",
    r: int | None = 4,
    lifecycle_stage: str = "GROWING",
    value_tier: str = "MEDIUM",
    probability_alive: float = 0.8,
    historic_cents: int = 10000,
    predicted_12m_cents: int = 5000,
    expected_purchases_12m: float = 1.5,
) -> None:
    await conn.execute(
        insert(table_of(CustomerScore)).values(
            customer_id=customer_id,
            as_of=NOW,
            computed_at=NOW,
            recency_days=10 if r is not None else None,
            frequency=3 if r is not None else None,
            monetary_cents=30000 if r is not None else None,
            r=r,
            f=3 if r is not None else None,
            m=4 if r is not None else None,
            rfm_segment=rfm_segment if r is not None else None,
            historic_cents=historic_cents,
            predicted_12m_cents=predicted_12m_cents,
            expected_purchases_12m=expected_purchases_12m,
            probability_alive=probability_alive,
            churn_risk=1 - probability_alive,
            lifecycle_stage=lifecycle_stage,
            value_tier=value_tier,
        )
    )


async def create_segment(
    conn: AsyncConnection, *, name: str, spec: CustomerFilterSpec, created_by: str = "test-marketer"
) -> int:
    return await _insert(conn, Segment, {"name": name, "filter": spec.to_dict(), "created_by": created_by})


async def create_scoring_model(
    conn: AsyncConnection, *, fitted_at: dt.datetime, r: float = 0.24, gamma_gamma: bool = True
) -> int:
    return await _insert(
        conn,
        ScoringModel,
        {
            "as_of": fitted_at,
            "fitted_at": fitted_at,
            "customers": 2357,
            "log_likelihood": -9582.43,
            "r": r,
            "alpha": 4.41,
            "a": 0.79,
            "b": 2.43,
            "p": 6.25 if gamma_gamma else None,
            "q": 3.74 if gamma_gamma else None,
            "gamma": 15.44 if gamma_gamma else None,
        },
    )


async def create_job(
    conn: AsyncConnection, *, kind: str = "refresh_scores", status: str = "FINISHED", requested_by: str | None = None
) -> int:
    return await _insert(
        conn,
        Job,
        {"kind": kind, "status": status, "requested_by": requested_by, "enqueued_at": NOW, "result": '{"n": 1}'},
    )
