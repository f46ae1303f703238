"""Every mutation declares the contract's roles: any other role gets FORBIDDEN in the payload,
before the mutation does anything."""

from __future__ import annotations

import pytest

from domain.privacy.roles import Role
from resolvers.common.ids import encode_id
from resolvers.schema import schema

A, S, M, N, P = Role.ADMIN, Role.SUPPORT_AGENT, Role.MARKETER, Role.ANALYST, Role.PARTNER
C = encode_id("Customer", 1)
T = encode_id("Ticket", 1)

# The contract's write permissions, with arguments that are valid GraphQL.
MUTATIONS: dict[str, tuple[set[Role], str]] = {
    "ingestChannelProfile": ({A, P}, '(input: {channel: WEB, externalId: "perm-1"})'),
    "recordOrder": (
        {A, P},
        '(input: {channel: WEB, externalId: "o-1", customerExternalId: "perm-1", '
        'placedAt: "2026-01-01T00:00:00Z", lines: []})',
    ),
    "mergeCustomers": ({A, S}, f'(targetId: "{C}", sourceId: "{encode_id("Customer", 2)}")'),
    "unmergeProfile": ({A, S}, f'(profileId: "{encode_id("ChannelProfile", 1)}")'),
    "resolveDuplicateCandidate": ({A, S}, f'(id: "{encode_id("DuplicateCandidate", 1)}", decision: KEEP_APART)'),
    "setConsent": ({A, S}, f'(customerId: "{C}", purpose: MARKETING, granted: true, source: "perm")'),
    "openTicket": ({A, S}, f'(input: {{customerId: "{C}", category: SERVICE, channel: WEB, subject: "s"}})'),
    "respondToTicket": ({A, S}, f'(ticketId: "{T}")'),
    "resolveTicket": ({A, S}, f'(ticketId: "{T}")'),
    "assignTicket": ({A, S}, f'(ticketId: "{T}", assignee: "agent")'),
    "addTicketMessage": ({A, S}, f'(ticketId: "{T}", body: "b", direction: INBOUND, channel: EMAIL)'),
    "completeFollowUp": ({A, S}, f'(followUpId: "{encode_id("FollowUp", 1)}", outcome: SATISFIED)'),
    "submitFeedback": ({A, S, P}, f'(input: {{customerId: "{C}", kind: CSAT, score: 9, channel: WEB}})'),
    "redeemPoints": ({A, S, P}, f'(customerId: "{C}", points: 1, reason: "perm")'),
    "createSegment": ({A, M, N}, '(input: {name: "perm", filter: {}})'),
    "refreshScores": ({A, N}, ""),
    "requestErasure": ({A}, f'(customerId: "{C}")'),
    "requestExport": ({A, S}, f'(customerId: "{C}")'),
}


def test_the_table_covers_every_mutation() -> None:
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    assert set(mutation_type.fields) == set(MUTATIONS)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
async def test_roles_outside_the_contract_get_forbidden(gql, name: str) -> None:
    allowed, args = MUTATIONS[name]
    query = f"mutation {{ {name}{args} {{ errors {{ code message }} }} }}"
    for role in Role:
        body = (await gql.post(query, role=role)).json()
        payload = (body.get("data") or {}).get(name)
        codes = [e["code"] for e in payload["errors"]] if payload else []
        if role in allowed:
            assert "FORBIDDEN" not in codes, (name, role)
        else:
            assert codes == ["FORBIDDEN"], (name, role, body)
