"""Segment mutations."""

from __future__ import annotations

import strawberry

from domain.segments.create import create_segment
from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.context import Context
from resolvers.segments.inputs import SegmentInput
from resolvers.segments.types import Segment

Info = strawberry.Info[Context, None]


@strawberry.type
class SegmentPayload:
    segment: Segment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SegmentMutations:
    @perm.guarded_mutation(perm.SEGMENTS, "create segments")
    async def create_segment(self, info: Info, input: SegmentInput) -> SegmentPayload:
        ctx = info.context
        async with ctx.transaction() as conn:
            row = await create_segment(
                conn, name=input.name, spec=input.filter.to_spec(), created_by=ctx.caller.subject
            )
        return SegmentPayload(segment=Segment(row=row))
