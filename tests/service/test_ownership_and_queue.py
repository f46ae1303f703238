"""Ownership from first contact and the ticket queue, through GraphQL: the opener owns a ticket
unless an assignee is given, assignTicket changes owner and team (recorded), the queue lists open
tickets by their earliest unmet due time with keyset pages, roles are enforced."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select

from domain.privacy.roles import Role
from domain.service.models import TicketEvent
from resolvers.common.ids import encode_id
from tests.crm_factories import create_customer
from tests.service.desk import ASSIGN, ASSIGN_TEAM_ONLY, MESSAGE, QUEUE, RESOLVE, call, open_ticket, parse

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


async def test_the_staff_caller_who_opens_a_ticket_owns_it(engine, gql) -> None:
    cid = await create_customer(engine)
    mine = await open_ticket(gql, cid, subject="agent-ann")
    assert mine["errors"] == [] and mine["ticket"]["assignee"] == "agent-ann"
    assert mine["ticket"]["team"] is None and mine["ticket"]["escalationLevel"] == 0
    by_admin = await open_ticket(gql, cid, subject="admin-zoe", role=Role.ADMIN)
    assert by_admin["ticket"]["assignee"] == "admin-zoe"
    given = await open_ticket(gql, cid, subject="agent-ann", assignee="  agent-bob ", team="Complaints")
    assert (given["ticket"]["assignee"], given["ticket"]["team"]) == ("agent-bob", "Complaints")


async def test_assign_ticket_changes_owner_and_team_and_records_it(engine, gql) -> None:
    cid = await create_customer(engine)
    ticket = (await open_ticket(gql, cid, subject="agent-ann"))["ticket"]
    moved = await call(gql, ASSIGN, {"id": ticket["id"], "assignee": "agent-bob", "team": "Logistics"})
    assert moved["assignTicket"]["ticket"]["assignee"] == "agent-bob"
    assert moved["assignTicket"]["ticket"]["team"] == "Logistics"
    # An argument left out keeps its value; null clears it.
    team_only = await call(gql, ASSIGN_TEAM_ONLY, {"id": ticket["id"], "team": "Complaints"})
    assert team_only["assignTicket"]["ticket"]["assignee"] == "agent-bob"
    assert team_only["assignTicket"]["ticket"]["team"] == "Complaints"
    cleared = await call(gql, ASSIGN_TEAM_ONLY, {"id": ticket["id"], "team": None})
    assert cleared["assignTicket"]["ticket"]["team"] is None
    async with engine.connect() as conn:
        events = (await conn.execute(select(TicketEvent.kind, TicketEvent.actor, TicketEvent.details))).all()
    assert [e.kind for e in events] == ["ASSIGNED"] * 3
    assert events[0].actor == "test-support_agent"
    assert events[0].details["to"] == {"assignee": "agent-bob", "team": "Logistics"}
    assert events[0].details["from"] == {"assignee": "agent-ann", "team": None}


async def test_assignment_is_for_ticket_roles_and_unknown_tickets_are_not_found(engine, gql) -> None:
    cid = await create_customer(engine)
    ticket = (await open_ticket(gql, cid))["ticket"]
    for role in (Role.MARKETER, Role.ANALYST, Role.PARTNER):
        refused = await call(gql, ASSIGN, {"id": ticket["id"], "assignee": "me"}, role=role)
        assert [e["code"] for e in refused["assignTicket"]["errors"]] == ["FORBIDDEN"]
        opened = await open_ticket(gql, cid, role=role)
        assert [e["code"] for e in opened["errors"]] == ["FORBIDDEN"]
    missing = await call(gql, ASSIGN, {"id": encode_id("Ticket", 10**9), "assignee": "me"})
    assert [e["code"] for e in missing["assignTicket"]["errors"]] == ["NOT_FOUND"]
    too_long = await call(gql, ASSIGN, {"id": ticket["id"], "assignee": "x" * 201})
    assert [(e["code"], e["field"]) for e in too_long["assignTicket"]["errors"]] == [("INVALID_INPUT", ["assignee"])]
    data = await call(gql, "query { ticketQueue { totalCount } }", {}, role=Role.ADMIN)
    assert data["ticketQueue"]["totalCount"] == 1
    for role in (Role.MARKETER, Role.ANALYST, Role.PARTNER):
        response = await gql.post("query { ticketQueue { totalCount } }", role=role)
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert response.json()["data"] is None


def _earliest_unmet(node: dict[str, Any]) -> dt.datetime:
    return parse(node["firstResponseDueAt"] if node["firstResponseAt"] is None else node["resolutionDueAt"])


async def test_the_queue_lists_open_tickets_by_earliest_unmet_due_time(engine, gql) -> None:
    rng = random.Random(18)
    cid = await create_customer(engine)
    expected = {}  # ticket id -> (team, assignee, earliest unmet due time), for open tickets only
    for n in range(14):
        priority = rng.choice(["LOW", "NORMAL", "HIGH", "URGENT"])
        team, assignee = rng.choice(["Logistics", "Complaints"]), rng.choice(["agent-ann", "agent-bob"])
        opened = NOW - dt.timedelta(minutes=rng.randint(0, 3000))
        t = (await open_ticket(gql, cid, priority=priority, team=team, assignee=assignee, openedAt=opened))["ticket"]
        fate = n % 3
        if fate == 1:  # answered: the resolution's due time is next
            await call(gql, MESSAGE, {"id": t["id"], "body": "On it", "direction": "OUTBOUND", "channel": "EMAIL"})
            t["firstResponseAt"] = "answered"
        if fate == 2 and n % 2:  # resolved: out of the queue
            await call(gql, RESOLVE, {"id": t["id"], "at": None})
            continue
        expected[t["id"]] = (team, assignee, _earliest_unmet(t))

    async def walk(**args) -> list[dict[str, Any]]:
        nodes, after = [], None
        while True:
            data = (await call(gql, QUEUE, {**args, "first": 4, "after": after}))["ticketQueue"]
            assert data["totalCount"] == len([1 for team, who, _ in expected.values() if _matches(team, who, args)])
            nodes += [e["node"] for e in data["edges"]]
            if not data["pageInfo"]["hasNextPage"]:
                return nodes
            after = data["pageInfo"]["endCursor"]

    def _matches(team: str, who: str, args: dict[str, Any]) -> bool:
        return args.get("team") in (None, team) and args.get("assignee") in (None, who)

    for args in ({}, {"team": "Logistics"}, {"assignee": "agent-bob"}, {"team": "Complaints", "assignee": "agent-ann"}):
        nodes = await walk(**args)
        want = sorted((due, tid) for tid, (team, who, due) in expected.items() if _matches(team, who, args))
        got = [(_earliest_unmet(n), n["id"]) for n in nodes]
        assert [t for _, t in got] == [t for _, t in sorted(got, key=lambda g: (g[0], _pk(g[1])))]
        assert [due for due, _ in got] == [due for due, _ in want]
        assert {t for _, t in got} == {t for _, t in want}
        assert all(n["status"] in ("OPEN", "PENDING") for n in nodes)


def _pk(global_id: str) -> int:
    from resolvers.common.ids import decode_any

    return decode_any(global_id)[1]


async def test_queue_page_size_and_cursor_errors(engine, gql) -> None:
    response = await gql.post("query { ticketQueue(first: 101) { totalCount } }")
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    response = await gql.post('query { ticketQueue(after: "bm9wZQ") { totalCount } }')
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_desk_writes_to_customers_the_caller_cannot_see_are_not_found(engine) -> None:
    """The one access path of desk writes (domain/service/access.py) answers a hidden customer's
    ids exactly as ids that do not exist: for a caller whose visibility is restricted (a PARTNER
    caller, should a desk write ever be open to one), with the same code, message and field."""
    from domain.callers.caller import Caller
    from domain.errors import NotFound
    from domain.service.access import locked_ticket, visible_customer
    from domain.service.tickets import TicketData
    from domain.service.tickets import open_ticket as open_in_domain

    hidden = await create_customer(engine)
    staff = Caller(subject="agent-ann", role=Role.SUPPORT_AGENT)
    partner = Caller(subject="till-7", role=Role.PARTNER)
    data = TicketData(customer_id=hidden, category="SERVICE", priority="NORMAL", channel="WEB", subject="s")
    async with engine.begin() as conn:
        ticket = await open_in_domain(conn, data, staff)

    async def refusal(work) -> tuple[str, str, list[str] | None]:
        async with engine.begin() as conn:
            try:
                await work(conn)
            except NotFound as error:
                return error.code.value, error.message, error.field
        raise AssertionError("not refused")

    assert await refusal(lambda c: visible_customer(c, hidden, partner, ["customerId"])) == await refusal(
        lambda c: visible_customer(c, 10**9, partner, ["customerId"])
    )
    assert await refusal(lambda c: locked_ticket(c, ticket.id, partner)) == await refusal(
        lambda c: locked_ticket(c, 10**9, partner)
    )
    async with engine.begin() as conn:  # staff see it
        assert (await locked_ticket(conn, ticket.id, staff)).id == ticket.id
