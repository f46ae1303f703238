"""GraphQL documents and helpers shared by the identity-resolution tests."""

from __future__ import annotations

from typing import Any

CUSTOMER_FIELDS = """
  id displayName email phone createdAt channels
  profiles { id channel externalId email phone }
  identifiers { kind value }
  mergeHistory { kind rule profileIds }
"""
INGEST = (
    "mutation($input: ChannelProfileInput!) { ingestChannelProfile(input: $input) { merged created "
    "errors { code message field } profile { id channel externalId email phone lastSeenAt } customer {"
    + CUSTOMER_FIELDS
    + "} } }"
)
RECORD_ORDER = (
    "mutation($input: OrderInput!) { recordOrder(input: $input) { created errors { code message field } "
    "order { id channel externalId total currency placedAt } } }"
)
CUSTOMER = "query($id: ID!) { customer(id: $id) {" + CUSTOMER_FIELDS + "} }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Customer { channels } } }"
BY_IDENTIFIER = (
    "query($kind: IdentifierKind!, $value: String!) { customerByIdentifier(kind: $kind, value: $value) { id } }"
)
MERGE = (
    "mutation($t: ID!, $s: ID!) { mergeCustomers(targetId: $t, sourceId: $s) { errors { code message field } "
    "customer {" + CUSTOMER_FIELDS + "} } }"
)
UNMERGE = (
    "mutation($p: ID!) { unmergeProfile(profileId: $p) { errors { code message field } customer {"
    + CUSTOMER_FIELDS
    + "} } }"
)


async def ingest(gql: Any, **profile: Any) -> dict[str, Any]:
    data = await gql(INGEST, {"input": profile})
    return data["ingestChannelProfile"]  # type: ignore[no-any-return]


async def record(gql: Any, **order: Any) -> dict[str, Any]:
    data = await gql(RECORD_ORDER, {"input": order})
    return data["recordOrder"]  # type: ignore[no-any-return]


def kinds(customer: dict[str, Any]) -> set[tuple[str, str]]:
    return {(i["kind"], i["value"]) for i in customer["identifiers"]}
