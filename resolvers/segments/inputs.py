"""Segment inputs."""

from __future__ import annotations

import strawberry

from resolvers.customers.inputs import CustomerFilter


@strawberry.input
class SegmentInput:
    name: str
    filter: CustomerFilter
