"""The SQL behind `insights`: four aggregate statements over one period (see docs/insights.md).

Each returns one row; `domain.insights.metrics.combine` turns the rows into the metrics. Nothing
loads customers into Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, select

from domain.base import table_of
from domain.customers.models import ChannelProfile, Customer
from domain.errors import InvalidInput
from domain.feedback.models import Feedback
from domain.orders.models import Order
from domain.scoring.models import CustomerScore
from domain.service.models import Ticket
from domain.service.queries import breached_condition, met_sla_condition

customers = table_of(Customer)
profiles = table_of(ChannelProfile)
scores = table_of(CustomerScore)
orders = table_of(Order)
feedback = table_of(Feedback)
tickets = table_of(Ticket)


@dataclass(frozen=True)
class Period:
    """[start, end), and the previous period of equal length right before it."""

    start: dt.datetime
    end: dt.datetime
    channel: str | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput("`to` must be after `from`", field=["to"])

    @property
    def previous_start(self) -> dt.datetime:
        return self.start - (self.end - self.start)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def customer_base(period: Period) -> Select[*tuple[Any, ...]]:
    """Customers that existed at the end of the period (on the channel, when given), and the
    mean predicted 12-month CLV of those with scores (in cents)."""
    conditions = [customers.c.created_at < period.end]
    if period.channel is not None:
        conditions.append(
            exists(
                select(1).where(
                    profiles.c.customer_id == customers.c.id,
                    profiles.c.channel == period.channel,
                    profiles.c.first_seen_at < period.end,
                )
            )
        )
    return (
        select(
            func.count(customers.c.id).label("customers"),
            func.avg(scores.c.predicted_12m_cents).label("average_clv_cents"),
        )
        .select_from(customers.outerjoin(scores, scores.c.customer_id == customers.c.id))
        .where(*conditions)
    )


def order_activity(period: Period) -> Select[*tuple[Any, ...]]:
    """Per customer, orders (not RETURNED) in this and the previous period; then counts of the
    active, the repeat buyers, the previously active and the churned."""
    in_current = orders.c.placed_at >= period.start
    conditions = [
        orders.c.status != "RETURNED",
        orders.c.placed_at >= period.previous_start,
        orders.c.placed_at < period.end,
    ]
    if period.channel is not None:
        conditions.append(orders.c.channel == period.channel)
    per_customer = (
        select(
            _count_if(in_current).label("current"),
            _count_if(~in_current).label("previous"),
        )
        .where(*conditions)
        .group_by(orders.c.customer_id)
        .subquery()
    )
    current, previous = per_customer.c.current, per_customer.c.previous
    return select(
        _count_if(current > 0).label("active"),
        _count_if(current >= 2).label("repeat"),
        _count_if(previous > 0).label("previously_active"),
        _count_if(and_(previous > 0, current == 0)).label("churned"),
    )


def feedback_scores(period: Period) -> Select[*tuple[Any, ...]]:
    """NPS responses, promoters (9-10) and detractors (0-6); CSAT responses and those >= 8."""
    conditions = [
        feedback.c.submitted_at >= period.start,
        feedback.c.submitted_at < period.end,
        feedback.c.kind.in_(("NPS", "CSAT")),
    ]
    if period.channel is not None:
        conditions.append(feedback.c.channel == period.channel)
    nps, csat = feedback.c.kind == "NPS", feedback.c.kind == "CSAT"
    return select(
        _count_if(nps).label("nps_responses"),
        _count_if(and_(nps, feedback.c.score >= 9)).label("promoters"),
        _count_if(and_(nps, feedback.c.score <= 6)).label("detractors"),
        _count_if(csat).label("csat_responses"),
        _count_if(and_(csat, feedback.c.score >= 8)).label("satisfied"),
    ).where(*conditions)


def ticket_service(period: Period, now: dt.datetime) -> Select[*tuple[Any, ...]]:
    """Tickets whose resolution was due in the period: those settled (resolved, or the due time
    passed), those that met both due times, and those breached as of `now`."""
    conditions = [tickets.c.resolution_due_at >= period.start, tickets.c.resolution_due_at < period.end]
    if period.channel is not None:
        conditions.append(tickets.c.channel == period.channel)
    settled = (tickets.c.resolved_at.is_not(None)) | (tickets.c.resolution_due_at <= now)
    return select(
        _count_if(settled).label("settled"),
        _count_if(and_(settled, met_sla_condition())).label("met"),
        _count_if(breached_condition(now)).label("breached"),
    ).where(*conditions)
