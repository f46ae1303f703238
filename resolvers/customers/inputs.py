"""Inputs of the customers area: channel profiles, addresses, consents and the customer filter."""

from __future__ import annotations

import datetime as dt
import decimal

import strawberry

from domain.customers.filters import CustomerFilterSpec
from resolvers.common.enums import Channel, ConsentPurpose, LifecycleStage, RfmSegment, ValueTier


@strawberry.input
class AddressInput:
    country: str | None = None
    city: str | None = None
    district: str | None = None
    line1: str | None = None
    postal_code: str | None = None


@strawberry.input
class ConsentInput:
    purpose: ConsentPurpose
    granted: bool


@strawberry.input(description="A channel's record of a person; (channel, externalId) is its key.")
class ChannelProfileInput:
    channel: Channel
    external_id: str
    display_name: str | None = None
    email: str | None = None
    phone: str | None = None
    member_card: str | None = None
    birth_date: dt.date | None = None
    address: AddressInput | None = None
    seen_at: dt.datetime | None = strawberry.field(default=None, description="Defaults to now.")
    consents: list[ConsentInput] | None = strawberry.field(
        default=None, description="Consents captured by this channel."
    )


@strawberry.input(description="Every field narrows the list; fields combine with AND.")
class CustomerFilter:
    search: str | None = strawberry.field(
        default=None, description="Matches name, email, phone, member card (normalized)."
    )
    channel: Channel | None = None
    rfm_segment: RfmSegment | None = None
    lifecycle_stage: LifecycleStage | None = None
    value_tier: ValueTier | None = None
    tier_code: str | None = None
    consent_granted: ConsentPurpose | None = None
    min_churn_risk: float | None = None
    last_order_before: dt.datetime | None = None
    last_order_after: dt.datetime | None = None
    min_total_spent: decimal.Decimal | None = None
    has_open_ticket: bool | None = None

    def to_spec(self) -> CustomerFilterSpec:
        """The plain spec the domain filters on (and segments store)."""
        return CustomerFilterSpec(
            search=self.search,
            channel=self.channel.value if self.channel else None,
            rfm_segment=self.rfm_segment.value if self.rfm_segment else None,
            lifecycle_stage=self.lifecycle_stage.value if self.lifecycle_stage else None,
            value_tier=self.value_tier.value if self.value_tier else None,
            tier_code=self.tier_code,
            consent_granted=self.consent_granted.value if self.consent_granted else None,
            min_churn_risk=self.min_churn_risk,
            last_order_before=self.last_order_before,
            last_order_after=self.last_order_after,
            min_total_spent=self.min_total_spent,
            has_open_ticket=self.has_open_ticket,
        )
