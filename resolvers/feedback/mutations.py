"""Feedback mutations."""

from __future__ import annotations

import strawberry

from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.common.pending import not_implemented
from resolvers.context import Context
from resolvers.feedback.inputs import FeedbackInput
from resolvers.feedback.types import Feedback

Info = strawberry.Info[Context, None]


@strawberry.type
class FeedbackPayload:
    feedback: Feedback | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FeedbackMutations:
    @perm.guarded_mutation(perm.FEEDBACK, "submit feedback")
    async def submit_feedback(self, info: Info, input: FeedbackInput) -> FeedbackPayload:
        not_implemented("submitFeedback")
