"""Mutations of the customers area: ingestion and identity resolution."""

from __future__ import annotations

import strawberry

from resolvers.common import permissions as perm
from resolvers.common.pending import not_implemented
from resolvers.context import Context
from resolvers.customers.inputs import ChannelProfileInput
from resolvers.customers.payloads import CustomerPayload, IngestProfilePayload

Info = strawberry.Info[Context, None]


@strawberry.type
class CustomerMutations:
    @perm.guarded_mutation(perm.INGEST, "ingest profiles")
    async def ingest_channel_profile(self, info: Info, input: ChannelProfileInput) -> IngestProfilePayload:
        not_implemented("ingestChannelProfile")

    @perm.guarded_mutation(perm.MERGE, "merge customers")
    async def merge_customers(self, info: Info, target_id: strawberry.ID, source_id: strawberry.ID) -> CustomerPayload:
        not_implemented("mergeCustomers")

    @perm.guarded_mutation(perm.MERGE, "unmerge profiles", "Splits the profile out into a customer of its own.")
    async def unmerge_profile(self, info: Info, profile_id: strawberry.ID) -> CustomerPayload:
        not_implemented("unmergeProfile")
