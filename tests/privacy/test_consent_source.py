"""A consent captured by a channel names the profile's key as its source: masked as IDENTIFIER.

`Customer.consents` is wired by the read-graph issue; until then this runs the real Consent type
and loaders under a one-field schema with the real request context."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from domain.base import utcnow
from domain.callers.caller import Caller
from domain.customers.ingest import ProfileData, ingest_profile
from domain.privacy.consents import record_consent
from domain.privacy.roles import Role
from resolvers.common.scalars import SCALAR_MAP
from resolvers.context import Context
from resolvers.privacy.dataloaders import ConsentHistoryByCustomerLoader
from resolvers.privacy.types import Consent


@strawberry.type
class Query:
    @strawberry.field
    async def history(self, info: strawberry.Info[Context, None], customer_id: int) -> list[Consent]:
        rows = await info.context.loader(ConsentHistoryByCustomerLoader).load(customer_id)
        return [Consent.from_row(r) for r in rows]


SCHEMA = strawberry.Schema(Query, config=StrawberryConfig(scalar_map=SCALAR_MAP))


async def test_channel_keys_in_consent_sources_are_masked(engine, settings) -> None:
    async with engine.begin() as conn:
        result = await ingest_profile(
            conn, ProfileData(channel="STORE", external_id="00042", consents=(("MARKETING", True),))
        )

    async with engine.begin() as conn:
        await record_consent(
            conn,
            customer_id=result.customer_id,
            purpose="ANALYTICS",
            granted=True,
            source="call-center",
            trusted=True,
            at=utcnow(),
        )
    seen = {}
    for role in Role:
        ctx = Context(engine=engine, settings=settings, caller=Caller(subject="t", role=role), request_id="r")
        try:
            out = await SCHEMA.execute(
                "query($c: Int!) { history(customerId: $c) { purpose source } }",
                {"c": result.customer_id},
                context_value=ctx,
            )
        finally:
            await ctx.close()
        assert out.errors is None, out.errors
        seen[role] = [h["source"] for h in out.data["history"]]  # type: ignore[index]
    assert seen[Role.ADMIN] == seen[Role.SUPPORT_AGENT] == ["STORE:00042", "call-center"]
    assert seen[Role.MARKETER] == ["STORE:00042", "call-center"]  # MARKETING granted
    assert seen[Role.ANALYST] == ["****0042", "call-center"]
    assert seen[Role.PARTNER] == ["****", "call-center"]  # no THIRD_PARTY_SHARING: hidden
