"""Feedback mutations."""

from __future__ import annotations

import strawberry

from domain.feedback.submit import FeedbackData, submit_feedback
from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.common.ids import decode_id
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
        data = FeedbackData(
            customer_id=decode_id(input.customer_id, "Customer", "customerId"),
            kind=input.kind.value,
            score=input.score,
            channel=input.channel.value,
            comment=input.comment,
            order_id=decode_id(input.order_id, "Order", "orderId") if input.order_id else None,
            ticket_id=decode_id(input.ticket_id, "Ticket", "ticketId") if input.ticket_id else None,
            submitted_at=input.submitted_at,
        )
        async with info.context.transaction() as conn:
            row = await submit_feedback(conn, data, role=info.context.caller.role)
        return FeedbackPayload(feedback=Feedback(row=row))
