"""The SQL behind `insights`: six aggregate statements over one period (see docs/insights.md).

Each returns one row; `domain.insights.metrics.combine` turns the rows into the metrics. Nothing
loads customers into Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Numeric, Select, and_, case, exists, func, literal, null, select, true

from domain import limits
from domain.base import table_of
from domain.customers.models import ChannelProfile, Customer
from domain.errors import InvalidInput
from domain.feedback.models import Feedback
from domain.insights.models import ALL_CHANNELS, PurchasePairCount
from domain.orders.models import Order
from domain.scoring.models import CustomerScore
from domain.service import stats
from domain.service.models import Ticket
from domain.service.queries import breached_condition, met_sla_condition

customers = table_of(Customer)
profiles = table_of(ChannelProfile)
scores = table_of(CustomerScore)
orders = table_of(Order)
feedback = table_of(Feedback)
tickets = table_of(Ticket)
pair_counts = table_of(PurchasePairCount)


@dataclass(frozen=True)
class Period:
    """[start, end), and the previous period of equal length right before it."""

    start: dt.datetime
    end: dt.datetime
    channel: str | None = None

    def __post_init__(self) -> None:
        limits.moment(self.start, ["from"])
        limits.moment(self.end, ["to"])
        if self.end <= self.start:
            raise InvalidInput("`to` must be after `from`", field=["to"])

    @property
    def previous_start(self) -> dt.datetime:
        return self.start - (self.end - self.start)

    @property
    def whole_days(self) -> bool:
        """Both bounds are UTC midnights (then so is the previous period's start)."""
        return all(_is_utc_midnight(t) for t in (self.start, self.end))


def _in_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _is_utc_midnight(moment: dt.datetime) -> bool:
    return _in_utc(moment).time() == dt.time(0)


def _utc_date(moment: dt.datetime) -> dt.date:
    return _in_utc(moment).date()


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def customer_base(period: Period) -> Select[*tuple[Any, ...]]:
    """Customers that existed at the end of the period (on the channel, when given), and the
    mean predicted 12-month CLV of those with scores (in cents)."""
    if period.channel is None:
        return _whole_base(period)
    existed = and_(
        customers.c.created_at < period.end,
        exists(
            select(1).where(
                profiles.c.customer_id == customers.c.id,
                profiles.c.channel == period.channel,
                profiles.c.first_seen_at < period.end,
            )
        ),
    )
    return (
        select(
            func.count(customers.c.id).label("customers"),
            func.avg(scores.c.predicted_12m_cents).label("average_clv_cents"),
        )
        .select_from(customers.outerjoin(scores, scores.c.customer_id == customers.c.id))
        .where(existed)
    )


def _whole_base(period: Period) -> Select[*tuple[Any, ...]]:
    """The same over every channel, without joining every customer to its scores: every score
    belongs to an existing customer (foreign key), so the mean over the customers created before
    `to` is that of all scores less those of the customers created since (usually few; both
    found through the index on created_at)."""
    existing = select(func.count()).where(customers.c.created_at < period.end).scalar_subquery()
    every = select(
        func.count(scores.c.customer_id).label("n"), func.sum(scores.c.predicted_12m_cents).label("cents")
    ).subquery("every")
    later = (
        select(func.count(scores.c.customer_id).label("n"), func.sum(scores.c.predicted_12m_cents).label("cents"))
        .select_from(scores.join(customers, customers.c.id == scores.c.customer_id))
        .where(customers.c.created_at >= period.end)
        .subquery("later")
    )
    scored = every.c.n - later.c.n
    cents = func.coalesce(every.c.cents, 0) - func.coalesce(later.c.cents, 0)
    return select(
        existing.label("customers"),
        case((scored > 0, cents * literal(1.0, Numeric()) / scored), else_=null()).label("average_clv_cents"),
    ).select_from(every.join(later, true()))


def order_activity(period: Period) -> Select[*tuple[Any, ...]]:
    """Counts of the active, the repeat buyers, the previously active and the churned: from the
    purchase-day rollup when both bounds are UTC midnights, else from the orders themselves.
    Both give the same numbers (docs/insights.md)."""
    if period.whole_days:
        return order_activity_by_day(period)
    return order_activity_exact(period)


def order_activity_by_day(period: Period) -> Select[*tuple[Any, ...]]:
    """The counts from `purchase_pair_counts`, for a period of whole UTC days [d1, d2] after the
    previous one [p1, d1 - 1]. A customer's purchase days in a scope are rows (day, prev, next)
    of `customer_purchase_days` (prev/next: the customer's purchase days before and after, -inf
    and +inf at the ends), so each count is a count of such rows:

    - active: the first purchase day in [d1, d2]: d1 <= day <= d2 and prev < d1;
    - previously active: likewise, p1 <= day < d1 and prev < p1;
    - churned: the last purchase day in [p1, d1 - 1] has no next one up to d2:
      p1 <= day < d1 and next > d2;
    - buying once: a first day in [d1, d2] with one order and next > d2. That is three
      constraints; with S(condition) the count of single-order rows,
      S(prev < d1 <= day <= d2 < next) = S(d1 <= day <= d2, prev < d1) - S(prev < d1, d1 < next <= d2)
      + S(day < d1, d1 < next <= d2), since a row with prev < d1 and next in (d1, d2] has
      day >= d1 unless day < d1 (and day < d1 implies prev < d1). The repeat buyers are the
      active minus those.

    Each is a sum over one range of a pair histogram (a rectangle of (first, second) cells)."""
    p1, d1 = _utc_date(period.previous_start), _utc_date(period.start)
    d2 = _utc_date(period.end) - dt.timedelta(days=1)
    scope = period.channel or ALL_CHANNELS
    first, second = pair_counts.c.first, pair_counts.c.second

    def sums(name: str, pair: str, *conditions: ColumnElement[bool]) -> Any:
        """One range of one pair histogram: its purchase days and single-order days."""
        return (
            select(
                func.coalesce(func.sum(pair_counts.c.days), 0).label("days"),
                func.coalesce(func.sum(pair_counts.c.single_order_days), 0).label("once"),
            )
            .where(pair_counts.c.scope == scope, pair_counts.c.pair == pair, *conditions)
            .subquery(name)
        )

    current = sums("current", "DAY_PREV", first >= d1, first <= d2, second < d1)
    next_in_current = (second > d1, second <= d2, first < d1)
    spanning = sums("spanning", "PREV_NEXT", *next_in_current)
    ending = sums("ending", "DAY_NEXT", *next_in_current)
    previous = sums("previous", "DAY_PREV", first >= p1, first < d1, second < p1)
    lapsed = sums("lapsed", "DAY_NEXT", first >= p1, first < d1, second > d2)
    once = current.c.once - spanning.c.once + ending.c.once
    return select(
        current.c.days.label("active"),
        (current.c.days - once).label("repeat"),
        previous.c.days.label("previously_active"),
        lapsed.c.days.label("churned"),
    ).select_from(current.join(spanning, true()).join(ending, true()).join(previous, true()).join(lapsed, true()))


def order_activity_exact(period: Period) -> Select[*tuple[Any, ...]]:
    """Per customer, orders (not RETURNED) in this and the previous period; then counts of the
    active, the repeat buyers, the previously active and the churned. Any period."""
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


def insights_statements(period: Period, now: dt.datetime) -> list[Select[Any]]:
    """Every statement of `insights`, each one row, in the order `metrics.combine` takes them;
    the last two are the desk's (domain/service/stats.py)."""
    return [
        customer_base(period),
        order_activity(period),
        feedback_scores(period),
        ticket_service(period, now),
        stats.desk_resolutions(period.start, period.end, period.channel),
        stats.follow_up_completion(period.start, period.end, period.channel, now),
    ]
