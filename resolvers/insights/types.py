"""Relationship metrics over a period (definitions in docs/insights.md)."""

from __future__ import annotations

import decimal

import strawberry


@strawberry.type
class Insights:
    customers: int
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
