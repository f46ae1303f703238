"""Feedback inputs."""

from __future__ import annotations

import datetime as dt

import strawberry

from resolvers.common.enums import Channel, FeedbackKind


@strawberry.input
class FeedbackInput:
    customer_id: strawberry.ID
    kind: FeedbackKind
    score: int
    channel: Channel
    comment: str | None = None
    order_id: strawberry.ID | None = None
    ticket_id: strawberry.ID | None = None
    submitted_at: dt.datetime | None = None
