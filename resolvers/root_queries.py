"""Root query fields of the smaller areas (tiers, segments, insights, jobs, scoring, audit)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from domain.base import utcnow
from domain.insights import queries as insights_sql
from domain.insights.metrics import combine
from domain.insights.queries import Period
from domain.loyalty import queries as loyalty_sql
from domain.scoring import queries as scoring_sql
from resolvers.common import permissions as perm
from resolvers.common.enums import Channel
from resolvers.common.ids import decode_id
from resolvers.context import Context
from resolvers.insights.types import Insights
from resolvers.jobs.types import Job, load_job
from resolvers.loyalty.types import Tier
from resolvers.privacy import queries as privacy_queries
from resolvers.privacy.types import AuditEntryConnection
from resolvers.scoring.types import ScoringModel
from resolvers.segments.types import Segment

Info = strawberry.Info[Context, None]


@strawberry.type
class AreaQueries:
    @strawberry.field(description="Saved segments, by name.")
    async def segments(self, info: Info) -> list[Segment]:
        from resolvers.segments.dataloaders import AllSegmentsLoader

        return [Segment(row=r) for r in await info.context.loader(AllSegmentsLoader).load(None)]

    @strawberry.field(description="Loyalty tiers, lowest first.")
    async def tiers(self, info: Info) -> list[Tier]:
        return [Tier.of(r) for r in await info.context.rows(loyalty_sql.ALL_TIERS)]

    @strawberry.field(
        extensions=perm.roles_allowed(perm.STAFF),
        description="Relationship metrics over [from, to), optionally for one channel (staff only).",
    )
    async def insights(
        self,
        info: Info,
        from_: Annotated[dt.datetime, strawberry.argument(name="from")],
        to: dt.datetime,
        channel: Channel | None = None,
    ) -> Insights:
        ctx = info.context
        period = Period(start=from_, end=to, channel=channel.value if channel else None)
        rows = [(await ctx.rows(s))[0] for s in insights_sql.insights_statements(period, utcnow())]
        return Insights.from_metrics(combine(*rows))

    @strawberry.field(description="A background job by id: ADMIN sees every job, other roles the jobs they requested.")
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        return await load_job(info.context, decode_id(id, "Job"))

    @strawberry.field(description="The models of the last full refresh; null before the first.")
    async def scoring_model(self, info: Info) -> ScoringModel | None:
        rows = await info.context.rows(scoring_sql.LATEST_MODEL)
        return ScoringModel.of(rows[0]) if rows else None

    @strawberry.field(
        extensions=perm.roles_allowed(perm.AUDIT_LOG),
        description="Clear reads of personal data, newest first; ADMIN only.",
    )
    async def audit_log(
        self, info: Info, customer_id: strawberry.ID | None = None, first: int | None = 50, after: str | None = None
    ) -> AuditEntryConnection:
        return await privacy_queries.audit_log(info.context, customer_id, first, after)
