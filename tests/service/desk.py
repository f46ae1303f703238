"""GraphQL helpers for the service desk tests: staff callers with their own subjects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from tests.conftest import Api, token

TICKET = """id status priority escalationLevel assignee team openedAt firstResponseAt resolvedAt
  firstResponseDueAt resolutionDueAt
  messages { at author direction channel body }
  followUps { id dueAt doneAt outcome assignee }"""
PAYLOAD = f"ticket {{ {TICKET} }} errors {{ code message field }}"
OPEN = f"mutation($input: TicketInput!) {{ openTicket(input: $input) {{ {PAYLOAD} }} }}"
ASSIGN = f"""mutation($id: ID!, $assignee: String, $team: String) {{
  assignTicket(ticketId: $id, assignee: $assignee, team: $team) {{ {PAYLOAD} }} }}"""
ASSIGN_TEAM_ONLY = f"""mutation($id: ID!, $team: String) {{
  assignTicket(ticketId: $id, team: $team) {{ {PAYLOAD} }} }}"""
MESSAGE = f"""mutation($id: ID!, $body: String!, $direction: MessageDirection!, $channel: Channel!) {{
  addTicketMessage(ticketId: $id, body: $body, direction: $direction, channel: $channel) {{ {PAYLOAD} }} }}"""
RESOLVE = f"mutation($id: ID!, $at: DateTime) {{ resolveTicket(ticketId: $id, at: $at) {{ {PAYLOAD} }} }}"
COMPLETE = f"""mutation($id: ID!, $outcome: FollowUpOutcome!, $note: String) {{
  completeFollowUp(followUpId: $id, outcome: $outcome, note: $note) {{ {PAYLOAD} }} }}"""
QUEUE = """query($team: String, $assignee: String, $first: Int, $after: String) {
  ticketQueue(team: $team, assignee: $assignee, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id assignee team firstResponseDueAt resolutionDueAt firstResponseAt status } } } }"""
TICKET_BY_ID = f"query($id: ID!) {{ node(id: $id) {{ ... on Ticket {{ {TICKET} }} }} }}"


def iso(t: dt.datetime) -> str:
    return t.isoformat()


def parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


async def call(
    gql: Api, query: str, variables: dict[str, Any], *, role: Role = Role.SUPPORT_AGENT, subject: str | None = None
) -> dict[str, Any]:
    """POST as `role` with the JWT subject `subject`; the response's `data` (no GraphQL errors)."""
    response = await gql.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token(role, subject)}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def open_ticket(
    gql: Api,
    customer_id: int,
    *,
    subject: str | None = "agent-ann",
    role: Role = Role.SUPPORT_AGENT,
    **fields: Any,
) -> dict[str, Any]:
    """openTicket as a staff caller; `fields` override the input (camelCase)."""
    opened = fields.pop("openedAt", None)
    ticket_input = {
        "customerId": encode_id("Customer", customer_id),
        "category": "SERVICE",
        "priority": "NORMAL",
        "channel": "CALL_CENTER",
        "subject": "Parcel never arrived",
        **({"openedAt": iso(opened)} if opened else {}),
        **fields,
    }
    payload: dict[str, Any] = (await call(gql, OPEN, {"input": ticket_input}, role=role, subject=subject))["openTicket"]
    return payload
