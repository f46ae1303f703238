"""Payloads of customer mutations."""

from __future__ import annotations

import strawberry

from resolvers.common.errors import UserError
from resolvers.customers.types import ChannelProfile, Customer


@strawberry.type
class IngestProfilePayload:
    customer: Customer | None = None
    profile: ChannelProfile | None = None
    merged: bool = strawberry.field(
        default=False, description="The profile joined an existing customer, or customers merged."
    )
    created: bool = strawberry.field(default=False, description="The (channel, externalId) profile was new.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerPayload:
    customer: Customer | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)
