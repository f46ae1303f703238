"""insights(from, to, channel) on a hand-built dataset; the expected values are counted here in
Python from the fixture data, independently of the SQL."""

from __future__ import annotations

import datetime as dt
import decimal
import random
from dataclasses import dataclass, field

import pytest

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.crm_factories import create_customer, create_order, set_scores

START = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
END = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
PREVIOUS = START - (END - START)
CHANNELS = ("WEB", "STORE")
QUERY = """query($from: DateTime!, $to: DateTime!, $channel: Channel) {
  insights(from: $from, to: $to, channel: $channel) {
    customers activeCustomers repurchaseRate churnRate averageClv nps csat slaCompliance breachedTickets } }"""


@dataclass
class Person:
    channel: str
    created: dt.datetime
    clv_cents: int | None
    orders: list[tuple[dt.datetime, str]] = field(default_factory=list)  # (placed_at, status)
    feedback: list[tuple[str, int, dt.datetime]] = field(default_factory=list)
    tickets: list[tuple[str, dt.datetime, float | None, float | None]] = field(default_factory=list)


PRIORITY_MINUTES = {"URGENT": (15, 120), "NORMAL": (120, 2880)}


def build_people(rng: random.Random) -> list[Person]:
    def moment(lo: dt.datetime, hi: dt.datetime) -> dt.datetime:
        return lo + dt.timedelta(minutes=rng.randrange(int((hi - lo).total_seconds() // 60)))

    people = []
    for n in range(24):
        created = moment(START - dt.timedelta(days=200), END + dt.timedelta(days=20))
        person = Person(CHANNELS[n % 2], created, rng.choice([None, 0, 12345, 99999, 5000]))
        if created < END:
            for _ in range(rng.choice([0, 0, 1, 2, 3])):
                person.orders.append((moment(max(created, PREVIOUS), END + dt.timedelta(days=5)), "PLACED"))
            if rng.random() < 0.2:
                person.orders.append((moment(max(created, START), END), "RETURNED"))
        if n == 0:
            person.orders += [(START, "PLACED"), (END, "PLACED")]  # the bounds: [from, to)
        for kind, score in (("NPS", rng.randint(0, 10)), ("CSAT", rng.randint(1, 10))):
            if rng.random() < 0.6:
                person.feedback.append((kind, score, moment(PREVIOUS, END + dt.timedelta(days=3))))
        for _ in range(rng.choice([0, 1, 2])):
            priority = rng.choice(list(PRIORITY_MINUTES))
            opened = moment(PREVIOUS, END)
            respond = rng.choice([None, 5.0, 100.0, 200.0])
            resolve = rng.choice([None, 110.0, 2000.0, 3000.0])
            if respond is not None and resolve is not None and resolve < respond:
                resolve = respond + 1
            person.tickets.append((priority, opened, respond, resolve))
        people.append(person)
    return people


def expected(people: list[Person], channel: str | None) -> dict[str, object]:
    now = dt.datetime.now(dt.UTC)
    mine = [p for p in people if channel in (None, p.channel)]
    base = [p for p in mine if p.created < END]
    scored = [p.clv_cents for p in base if p.clv_cents is not None]

    def count(p: Person, lo: dt.datetime, hi: dt.datetime) -> int:
        return sum(1 for at, status in p.orders if status != "RETURNED" and lo <= at < hi)

    active = [p for p in mine if count(p, START, END) > 0]
    before = [p for p in mine if count(p, PREVIOUS, START) > 0]
    nps = [s for p in mine for k, s, at in p.feedback if k == "NPS" and START <= at < END]
    csat = [s for p in mine for k, s, at in p.feedback if k == "CSAT" and START <= at < END]
    due, met, breached = 0, 0, 0
    for p in mine:
        for priority, opened, respond, resolve in p.tickets:
            response_minutes, resolution_minutes = PRIORITY_MINUTES[priority]
            resolution_due = opened + dt.timedelta(minutes=resolution_minutes)
            if not START <= resolution_due < END:
                continue
            answered = respond if respond is not None else resolve  # resolving answers it too
            responded_in_time = answered is not None and answered <= response_minutes
            resolved_in_time = resolve is not None and resolve <= resolution_minutes
            due += 1  # all due times of 2025 have passed: every ticket is settled
            met += responded_in_time and resolved_in_time
            breached += not (responded_in_time and resolved_in_time)
    average = decimal.Decimal(sum(scored)) / len(scored) if scored else decimal.Decimal(0)
    assert now > END + dt.timedelta(days=30)
    return {
        "customers": len(base),
        "activeCustomers": len(active),
        "repurchaseRate": pytest.approx(sum(count(p, START, END) >= 2 for p in active) / len(active) if active else 0),
        "churnRate": pytest.approx(sum(count(p, START, END) == 0 for p in before) / len(before) if before else 0),
        "averageClv": str((average / 100).quantize(decimal.Decimal("0.01"), decimal.ROUND_HALF_UP)),
        "nps": pytest.approx(100 * (sum(s >= 9 for s in nps) - sum(s <= 6 for s in nps)) / len(nps)) if nps else None,
        "csat": pytest.approx(sum(s >= 8 for s in csat) / len(csat)) if csat else None,
        "slaCompliance": pytest.approx(met / due) if due else None,
        "breachedTickets": breached,
    }


async def load(engine, gql, people: list[Person]) -> None:
    for person in people:
        cid = await create_customer(engine, channel=person.channel, seen_at=person.created)
        if person.clv_cents is not None:
            await set_scores(engine, customer_id=cid, predicted_12m_cents=person.clv_cents)
        for placed_at, status in person.orders:
            await create_order(engine, customer_id=cid, placed_at=placed_at, status=status)
        for kind, score, at in person.feedback:
            data = await gql(
                "mutation($i: FeedbackInput!) { submitFeedback(input: $i) { errors { code } } }",
                {
                    "i": {
                        "customerId": encode_id("Customer", cid),
                        "kind": kind,
                        "score": score,
                        "channel": person.channel,
                        "submittedAt": at.isoformat(),
                    }
                },
            )
            assert data["submitFeedback"]["errors"] == []
        for priority, opened, respond, resolve in person.tickets:
            data = await gql(
                "mutation($i: TicketInput!) { openTicket(input: $i) { ticket { id priority } } }",
                {
                    "i": {
                        "customerId": encode_id("Customer", cid),
                        "category": "SERVICE",
                        "priority": priority,
                        "channel": person.channel,
                        "subject": "help",
                        "openedAt": opened.isoformat(),
                    }
                },
            )
            ticket = data["openTicket"]["ticket"]
            assert ticket["priority"] == priority  # nobody here is escalated
            for minutes, mutation in ((respond, "respondToTicket"), (resolve, "resolveTicket")):
                if minutes is not None:
                    when = (opened + dt.timedelta(minutes=minutes)).isoformat()
                    await gql(
                        f'mutation {{ {mutation}(ticketId: "{ticket["id"]}", at: "{when}") {{ errors {{ code }} }} }}'
                    )


async def test_insights_match_counts_derived_from_the_fixture(engine, gql) -> None:
    people = build_people(random.Random(7))
    await load(engine, gql, people)
    for channel in (None, *CHANNELS, "APP"):
        variables = {"from": START.isoformat(), "to": END.isoformat(), "channel": channel}
        got = (await gql(QUERY, variables, role=Role.ANALYST))["insights"]
        assert got == expected(people, channel), channel


async def test_without_data_rates_are_zero_and_surveys_null(gql) -> None:
    got = (await gql(QUERY, {"from": START.isoformat(), "to": END.isoformat()}))["insights"]
    assert got == {
        "customers": 0,
        "activeCustomers": 0,
        "repurchaseRate": 0.0,
        "churnRate": 0.0,
        "averageClv": "0.00",
        "nps": None,
        "csat": None,
        "slaCompliance": None,
        "breachedTickets": 0,
    }


async def test_period_must_not_be_empty(gql) -> None:
    body = (await gql.post(QUERY, {"from": END.isoformat(), "to": START.isoformat()})).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.MARKETER, True), (Role.SUPPORT_AGENT, True), (Role.PARTNER, False)]
)
async def test_only_staff_read_insights(gql, role, allowed) -> None:
    body = (await gql.post(QUERY, {"from": START.isoformat(), "to": END.isoformat()}, role=role)).json()
    if allowed:
        assert "errors" not in body
    else:
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and body["data"] is None
