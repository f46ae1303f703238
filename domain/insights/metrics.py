"""Relationship metrics from the aggregate rows of `domain.insights.queries` (definitions in
docs/insights.md). Pure: no database here."""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Metrics:
    customers: int
    active_customers: int
    repurchase_rate: float
    churn_rate: float
    average_clv_cents: decimal.Decimal
    nps: float | None
    csat: float | None
    sla_compliance: float | None
    breached_tickets: int
    average_resolution_hours: float | None = None
    complaint_resolution_hours: float | None = None
    first_contact_resolution_rate: float | None = None
    follow_up_completion_rate: float | None = None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def combine(base: Any, activity: Any, scores: Any, service: Any, desk: Any, follow_ups: Any) -> Metrics:
    """Rates are 0 when nobody was active (they are non-null in the contract); the survey and
    service metrics are null without responses or tickets."""
    nps_responses = int(scores.nps_responses)
    average = base.average_clv_cents
    return Metrics(
        customers=int(base.customers),
        active_customers=int(activity.active),
        repurchase_rate=_share(int(activity.repeat), int(activity.active)) or 0.0,
        churn_rate=_share(int(activity.churned), int(activity.previously_active)) or 0.0,
        average_clv_cents=decimal.Decimal(str(average or 0)).quantize(decimal.Decimal(1), decimal.ROUND_HALF_UP),
        nps=100.0 * (int(scores.promoters) - int(scores.detractors)) / nps_responses if nps_responses else None,
        csat=_share(int(scores.satisfied), int(scores.csat_responses)),
        sla_compliance=_share(int(service.met), int(service.settled)),
        breached_tickets=int(service.breached),
        average_resolution_hours=_float(desk.resolution_hours),
        complaint_resolution_hours=_float(desk.complaint_hours),
        first_contact_resolution_rate=_share(int(desk.first_contact), int(desk.resolved)),
        follow_up_completion_rate=_share(int(follow_ups.done), int(follow_ups.settled)),
    )
