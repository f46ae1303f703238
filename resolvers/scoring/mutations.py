"""Score refresh mutations."""

from __future__ import annotations

import datetime as dt

import strawberry

from resolvers.common import permissions as perm
from resolvers.common.pending import not_implemented
from resolvers.context import Context
from resolvers.jobs.payloads import JobPayload

Info = strawberry.Info[Context, None]


@strawberry.type
class ScoringMutations:
    @perm.guarded_mutation(
        perm.REFRESH_SCORES, "refresh scores", "All customers when customerIds is omitted; asOf defaults to now."
    )
    async def refresh_scores(
        self, info: Info, customer_ids: list[strawberry.ID] | None = None, as_of: dt.datetime | None = None
    ) -> JobPayload:
        not_implemented("refreshScores")
