"""Mutations of the customers area: ingestion and identity resolution."""

from __future__ import annotations

import strawberry

from domain.customers.ingest import IdentityRules, ingest_profile
from domain.customers.merging import merge_customers, unmerge_profile
from domain.privacy.access import Writer
from resolvers.common import permissions as perm
from resolvers.common.errors import UserError
from resolvers.common.ids import decode_id
from resolvers.context import Context
from resolvers.customers.dataloaders import ProfileByIdLoader
from resolvers.customers.inputs import ChannelProfileInput
from resolvers.customers.lookup import load_customer
from resolvers.customers.payloads import CustomerPayload, IngestProfilePayload
from resolvers.customers.types import ChannelProfile

Info = strawberry.Info[Context, None]


def identity_rules(ctx: Context) -> IdentityRules:
    return IdentityRules.load(ctx.settings.default_region, ctx.settings.blocked_identifiers)


@strawberry.type
class CustomerMutations:
    @perm.guarded_mutation(
        perm.INGEST,
        "ingest profiles",
        "Idempotent by (channel, externalId). An invalid email, phone or member card is reported in "
        "`errors` and left out; the rest of the profile is kept. When the profile belongs to a customer "
        "the caller may not see, the answer is the profile only (`customer` null, `merged` false), as "
        "for a new person.",
    )
    async def ingest_channel_profile(self, info: Info, input: ChannelProfileInput) -> IngestProfilePayload:
        ctx, data, rules = info.context, input.to_domain(), identity_rules(info.context)
        writer = Writer(ctx.caller.role)
        result = await ctx.write(lambda conn: ingest_profile(conn, data, rules, writer))
        customer = await load_customer(ctx, result.customer_id)  # read after the commit
        profile = await ctx.loader(ProfileByIdLoader).load(result.profile_id)
        return IngestProfilePayload(
            customer=customer,
            profile=ChannelProfile(row=profile) if profile else None,
            merged=result.merged and customer is not None,
            created=result.created,
            errors=[UserError.from_domain(e) for e in result.errors],
        )

    @perm.guarded_mutation(perm.MERGE, "merge customers", "Staff merge: the target survives and keeps its id.")
    async def merge_customers(self, info: Info, target_id: strawberry.ID, source_id: strawberry.ID) -> CustomerPayload:
        ctx, rules = info.context, identity_rules(info.context)
        target = decode_id(target_id, "Customer", "targetId")
        source = decode_id(source_id, "Customer", "sourceId")
        survivor = await ctx.write(lambda conn: merge_customers(conn, target_id=target, source_id=source, rules=rules))
        return CustomerPayload(customer=await load_customer(ctx, survivor))

    @perm.guarded_mutation(perm.MERGE, "unmerge profiles", "Splits the profile out into a customer of its own.")
    async def unmerge_profile(self, info: Info, profile_id: strawberry.ID) -> CustomerPayload:
        ctx, rules = info.context, identity_rules(info.context)
        profile = decode_id(profile_id, "ChannelProfile", "profileId")
        split = await ctx.write(lambda conn: unmerge_profile(conn, profile_id=profile, rules=rules))
        return CustomerPayload(customer=await load_customer(ctx, split))
