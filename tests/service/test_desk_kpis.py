"""The desk's figures on a hand-built data set: `agentStats` and the service fields of `insights`
read over GraphQL, each compared with a value this test derives in plain Python from the rows it
wrote (definitions in docs/insights.md "The service desk")."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import insert

from domain.base import table_of
from domain.feedback.models import Feedback
from domain.privacy.roles import Role
from domain.service.models import FollowUp, Ticket, TicketMessage
from tests.crm_factories import create_customer
from tests.service.desk import call

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
AGENTS = ["agent-ann", "agent-bob", "agent-cy", None]
CHANNELS = ["EMAIL", "CHAT", "CALL_CENTER"]


@dataclass
class Spec:
    """One hand-built ticket and what hangs off it."""

    id: int
    assignee: str | None
    category: str
    channel: str
    opened_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    first_response_due_at: dt.datetime
    resolution_due_at: dt.datetime
    reopen_count: int
    outbound: list[dt.datetime] = field(default_factory=list)
    csat: list[tuple[dt.datetime, int]] = field(default_factory=list)
    follow_ups: list[tuple[dt.datetime, bool]] = field(default_factory=list)  # (due, done)


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def build_specs(rng: random.Random, n: int) -> list[Spec]:
    specs = []
    for i in range(n):
        opened = START - dt.timedelta(days=10) + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 110))
        response = opened + minutes(rng.choice([3, 30, 100, 500])) if rng.random() < 0.9 else None
        resolved = None
        if response is not None and rng.random() < 0.8:
            resolved = response + minutes(rng.randint(10, 60 * 80))
        spec = Spec(
            id=0,
            assignee=rng.choice(AGENTS),
            category=rng.choice(["SERVICE", "COMPLAINT", "PRODUCT"]),
            channel=rng.choice(CHANNELS),
            opened_at=opened,
            first_response_at=response,
            resolved_at=resolved,
            first_response_due_at=opened + minutes(rng.choice([15, 120])),
            resolution_due_at=opened + minutes(rng.choice([120, 1440, 2880])),
            reopen_count=1 if rng.random() < 0.15 else 0,
        )
        # OUTBOUND messages, some after the resolution (they do not count against first contact).
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            spec.outbound.append(opened + minutes(rng.randint(1, 60 * 90)))
        if resolved is not None and rng.random() < 0.6:
            spec.csat.append((resolved + minutes(rng.randint(0, 600)), rng.randint(1, 10)))
            spec.follow_ups.append((resolved + dt.timedelta(days=3), rng.random() < 0.7))
        specs.append(spec)
        del i
    return specs


async def write(engine: Any, customer_id: int, specs: list[Spec]) -> None:
    tickets, messages = table_of(Ticket), table_of(TicketMessage)
    async with engine.begin() as conn:
        for spec in specs:
            spec.id = (
                await conn.execute(
                    insert(tickets)
                    .values(
                        customer_id=customer_id,
                        category=spec.category,
                        requested_priority="NORMAL",
                        priority="NORMAL",
                        status="RESOLVED" if spec.resolved_at else "OPEN",
                        channel=spec.channel,
                        subject="s",
                        opened_at=spec.opened_at,
                        first_response_at=spec.first_response_at,
                        resolved_at=spec.resolved_at,
                        first_response_due_at=spec.first_response_due_at,
                        resolution_due_at=spec.resolution_due_at,
                        assignee=spec.assignee,
                        reopen_count=spec.reopen_count,
                        escalation_level=0,
                    )
                    .returning(tickets.c.id)
                )
            ).scalar_one()
            rows: list[dict[str, Any]] = [{"direction": "OUTBOUND", "at": at} for at in spec.outbound] + [
                {"direction": "INBOUND", "at": spec.opened_at},
                {"direction": "INTERNAL_NOTE", "at": spec.opened_at},
            ]
            await conn.execute(
                insert(messages),
                [
                    {
                        **row,
                        "ticket_id": spec.id,
                        "customer_id": customer_id,
                        "channel": spec.channel,
                        "author": "x",
                        "recorded_by": "x",
                        "body": "b",
                    }
                    for row in rows
                ],
            )
            for at, score in spec.csat:
                await conn.execute(
                    insert(table_of(Feedback)).values(
                        customer_id=customer_id,
                        kind="CSAT",
                        score=score,
                        channel=spec.channel,
                        submitted_at=at,
                        ticket_id=spec.id,
                    )
                )
            for due, done in spec.follow_ups:
                await conn.execute(
                    insert(table_of(FollowUp)).values(
                        ticket_id=spec.id,
                        customer_id=customer_id,
                        due_at=due,
                        done_at=due if done else None,
                        outcome="SATISFIED" if done else None,
                    )
                )


def in_period(at: dt.datetime | None) -> bool:
    return at is not None and START <= at < END


def hours(spec: Spec) -> float:
    assert spec.resolved_at is not None
    return (spec.resolved_at - spec.opened_at).total_seconds() / 3600


def first_contact(spec: Spec) -> bool:
    assert spec.resolved_at is not None
    resolved_at = spec.resolved_at
    return spec.reopen_count == 0 and sum(1 for at in spec.outbound if at <= resolved_at) <= 1


def mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def expected_insights(specs: list[Spec], channel: str | None) -> dict[str, float | None]:
    mine = [s for s in specs if channel in (None, s.channel)]
    resolved = [s for s in mine if in_period(s.resolved_at)]
    due_follow_ups = [done for s in mine for due, done in s.follow_ups if in_period(due)]
    return {
        "averageResolutionHours": mean([hours(s) for s in resolved]),
        "complaintResolutionHours": mean([hours(s) for s in resolved if s.category == "COMPLAINT"]),
        "firstContactResolutionRate": share([first_contact(s) for s in resolved]),
        "followUpCompletionRate": share(due_follow_ups),
    }


def expected_agents(specs: list[Spec]) -> list[dict[str, Any]]:
    out = []
    for agent in sorted(a for a in AGENTS if a is not None):
        resolved = [s for s in specs if s.assignee == agent and in_period(s.resolved_at)]
        scores = [score for s in specs if s.assignee == agent for at, score in s.csat if in_period(at)]
        if not resolved and not scores:
            continue
        met = [
            s.first_response_at is not None
            and s.resolved_at is not None
            and s.first_response_at <= s.first_response_due_at
            and s.resolved_at <= s.resolution_due_at
            for s in resolved
        ]
        out.append(
            {
                "assignee": agent,
                "ticketsResolved": len(resolved),
                "averageFirstResponseMinutes": mean(
                    [(s.first_response_at - s.opened_at).total_seconds() / 60 for s in resolved if s.first_response_at]
                ),
                "averageResolutionHours": mean([hours(s) for s in resolved]),
                "slaCompliance": share(met),
                "csat": share([score >= 8 for score in scores]),
                "firstContactResolutionRate": share([first_contact(s) for s in resolved]),
            }
        )
    return out


def close(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return actual is expected
    if isinstance(expected, float):
        # SQLite's julianday() is exact to ~0.1 ms per timestamp: far below any figure's meaning.
        return bool(actual == pytest.approx(expected, rel=1e-6, abs=1e-9))
    return bool(actual == expected)


INSIGHTS = """query($from: DateTime!, $to: DateTime!, $channel: Channel) {
  insights(from: $from, to: $to, channel: $channel) {
    averageResolutionHours complaintResolutionHours firstContactResolutionRate followUpCompletionRate } }"""
AGENT_STATS = """query($from: DateTime!, $to: DateTime!) { agentStats(from: $from, to: $to) {
  assignee ticketsResolved averageFirstResponseMinutes averageResolutionHours slaCompliance csat
  firstContactResolutionRate } }"""


@pytest.mark.parametrize("seed", [1, 2])
async def test_desk_figures_match_an_independent_computation(engine, gql, seed: int) -> None:
    specs = build_specs(random.Random(seed), 60)
    await write(engine, await create_customer(engine), specs)
    period = {"from": START.isoformat(), "to": END.isoformat()}
    for channel in (None, "EMAIL", "CHAT"):
        got = (await call(gql, INSIGHTS, {**period, "channel": channel}, role=Role.ANALYST))["insights"]
        want = expected_insights(specs, channel)
        assert want["averageResolutionHours"] is not None  # the data set exercises every figure
        for key, value in want.items():
            assert close(got[key], value), (channel, key, got[key], value)
    agents = (await call(gql, AGENT_STATS, period, role=Role.SUPPORT_AGENT))["agentStats"]
    want_agents = expected_agents(specs)
    assert [a["assignee"] for a in agents] == [a["assignee"] for a in want_agents]
    for got_agent, want_agent in zip(agents, want_agents, strict=True):
        for key, value in want_agent.items():
            assert close(got_agent[key], value), (want_agent["assignee"], key, got_agent[key], value)


async def test_figures_are_null_without_tickets_and_agent_stats_are_for_desk_roles(engine, gql) -> None:
    period = {"from": START.isoformat(), "to": END.isoformat()}
    got = (await call(gql, INSIGHTS, {**period, "channel": None}, role=Role.ADMIN))["insights"]
    assert got == dict.fromkeys(got)
    assert (await call(gql, AGENT_STATS, period, role=Role.ANALYST))["agentStats"] == []
    for role in (Role.MARKETER, Role.PARTNER):
        response = await gql.post(AGENT_STATS, period, role=role)
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    backwards = await gql.post(AGENT_STATS, {"from": END.isoformat(), "to": START.isoformat()})
    assert backwards.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
