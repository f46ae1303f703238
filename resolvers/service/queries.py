"""Root query fields of the service desk: the ticket queue and the agents' figures."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

import strawberry

from domain.insights.queries import Period
from domain.service import stats
from resolvers.common import permissions as perm
from resolvers.context import Context
from resolvers.service.types import TicketConnection

Info = strawberry.Info[Context, None]


@strawberry.type(description="One agent's figures over the tickets they own resolved in a period.")
class AgentStats:
    assignee: str
    tickets_resolved: int
    average_first_response_minutes: float | None = strawberry.field(
        description="Mean minutes from opening to the first response."
    )
    average_resolution_hours: float | None = strawberry.field(description="Mean hours from opening to resolution.")
    sla_compliance: float | None = strawberry.field(description="Share that met both due times.")
    csat: float | None = strawberry.field(
        description="Share of CSAT answers >= 8 submitted in the period about the agent's tickets."
    )
    first_contact_resolution_rate: float | None = strawberry.field(
        description="Share resolved with at most one OUTBOUND message and never reopened."
    )


@strawberry.type
class ServiceQueries:
    @strawberry.field(
        extensions=perm.roles_allowed(perm.TICKETS),
        description="Open tickets (of a team, of an assignee), soonest unmet due time first.",
    )
    async def ticket_queue(
        self,
        info: Info,
        team: str | None = None,
        assignee: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> TicketConnection:
        return await TicketConnection.queue(info.context, team, assignee, first, after)

    @strawberry.field(
        extensions=perm.roles_allowed(perm.DESK_STATS),
        description="Per agent, over [from, to): the tickets they own resolved in the period (docs/insights.md).",
    )
    async def agent_stats(
        self, info: Info, from_: Annotated[dt.datetime, strawberry.argument(name="from")], to: dt.datetime
    ) -> list[AgentStats]:
        period = Period(start=from_, end=to)
        resolutions = await info.context.rows(stats.agent_resolutions(period.start, period.end))
        csat = await info.context.rows(stats.agent_csat(period.start, period.end))
        return [AgentStats(**dataclasses.asdict(f)) for f in stats.agent_figures(resolutions, csat)]
