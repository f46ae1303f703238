"""Recording CSAT, NPS and review answers, optionally about an order or ticket of the customer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import table_of, utcnow
from domain.errors import InvalidInput
from domain.feedback.models import Feedback
from domain.orders.models import Order
from domain.privacy.access import customer_for_write
from domain.privacy.roles import Role
from domain.service.models import Ticket

SCORE_RANGES = {"CSAT": (1, 10), "NPS": (0, 10), "REVIEW": (1, 5)}
MAX_COMMENT = 5000
CLOCK_SKEW = dt.timedelta(minutes=5)

feedback = table_of(Feedback)
_orders = table_of(Order)
_tickets = table_of(Ticket)


@dataclass(frozen=True)
class FeedbackData:
    customer_id: int
    kind: str
    score: int
    channel: str
    comment: str | None = None
    order_id: int | None = None
    ticket_id: int | None = None
    submitted_at: dt.datetime | None = None


def check_score(kind: str, score: int) -> None:
    """CSAT 1..10, NPS 0..10, REVIEW 1..5; anything else is INVALID_INPUT."""
    low, high = SCORE_RANGES[kind]
    if not low <= score <= high:
        raise InvalidInput(f"a {kind} score is between {low} and {high}", field=["input", "score"])


async def _check_owner(conn: AsyncConnection, table: Any, pk: int, customer_id: int, field: str) -> None:
    owner = (await conn.execute(select(table.c.customer_id).where(table.c.id == pk))).scalar()
    if owner != customer_id:  # also when it does not exist: the caller cannot tell which
        raise InvalidInput(f"the {field} does not belong to this customer", field=["input", field])


async def submit_feedback(
    conn: AsyncConnection, data: FeedbackData, *, role: Role, now: dt.datetime | None = None
) -> Row[Any]:
    """Record feedback as a caller of `role`: NOT_FOUND for a customer it cannot see."""
    now = now or utcnow()
    check_score(data.kind, data.score)
    comment = limits.optional_text(data.comment, ["input", "comment"], max_length=MAX_COMMENT)
    submitted_at = limits.moment(data.submitted_at or now, ["input", "submittedAt"])
    if submitted_at > now + CLOCK_SKEW:
        raise InvalidInput("a time in the future cannot be recorded", field=["input", "submittedAt"])
    customer_id = (await customer_for_write(conn, data.customer_id, role, field=["input", "customerId"])).id
    # Orders and tickets follow merges, so a linked row of the same person carries the survivor id.
    if data.order_id is not None:
        await _check_owner(conn, _orders, data.order_id, customer_id, "orderId")
    if data.ticket_id is not None:
        await _check_owner(conn, _tickets, data.ticket_id, customer_id, "ticketId")
    return (
        await conn.execute(
            insert(feedback)
            .values(
                customer_id=customer_id,
                kind=data.kind,
                score=data.score,
                comment=comment,
                channel=data.channel,
                submitted_at=submitted_at,
                order_id=data.order_id,
                ticket_id=data.ticket_id,
            )
            .returning(*feedback.c)
        )
    ).one()
