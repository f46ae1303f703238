"""Relationship metrics over a period (definitions in docs/insights.md)."""

from __future__ import annotations

import decimal

import strawberry

from domain.insights.metrics import Metrics


@strawberry.type
class Insights:
    customers: int = strawberry.field(description="Customers that existed at the end of the period.")
    active_customers: int = strawberry.field(description="At least one order in the period.")
    repurchase_rate: float = strawberry.field(description="Share of active customers with 2+ orders in the period.")
    churn_rate: float = strawberry.field(
        description="Share of customers active in the previous period who bought nothing in this one."
    )
    average_clv: decimal.Decimal
    nps: float | None = strawberry.field(description="%promoters - %detractors, -100..100; null without responses.")
    csat: float | None = strawberry.field(description="Share of CSAT scores >= 8, 0..1; null without responses.")
    sla_compliance: float | None = strawberry.field(
        description="Share of tickets due in the period that met both due times; null without tickets."
    )
    breached_tickets: int = strawberry.field(
        description="Tickets whose resolution was due in the period that are breached now."
    )
    average_resolution_hours: float | None = strawberry.field(
        default=None, description="Mean hours from opening to resolution of the tickets resolved in the period."
    )
    complaint_resolution_hours: float | None = strawberry.field(
        default=None, description="The same over the COMPLAINT tickets resolved in the period."
    )
    first_contact_resolution_rate: float | None = strawberry.field(
        default=None,
        description="Share of the tickets resolved in the period with at most one OUTBOUND message before the "
        "resolution and never reopened.",
    )
    follow_up_completion_rate: float | None = strawberry.field(
        default=None, description="Share of the follow-ups due in the period (and settled) that were done."
    )

    @classmethod
    def from_metrics(cls, m: Metrics) -> Insights:
        return cls(
            customers=m.customers,
            active_customers=m.active_customers,
            repurchase_rate=m.repurchase_rate,
            churn_rate=m.churn_rate,
            average_clv=m.average_clv_cents.scaleb(-2),
            nps=m.nps,
            csat=m.csat,
            sla_compliance=m.sla_compliance,
            breached_tickets=m.breached_tickets,
            average_resolution_hours=m.average_resolution_hours,
            complaint_resolution_hours=m.complaint_resolution_hours,
            first_contact_resolution_rate=m.first_contact_resolution_rate,
            follow_up_completion_rate=m.follow_up_completion_rate,
        )
