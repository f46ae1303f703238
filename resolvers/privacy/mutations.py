"""Consent and privacy-operation mutations."""

from __future__ import annotations

import strawberry

from domain.base import utcnow
from domain.privacy.consents import set_consent
from resolvers.common import permissions as perm
from resolvers.common.enums import ConsentPurpose
from resolvers.common.ids import decode_id
from resolvers.common.pending import not_implemented
from resolvers.context import Context
from resolvers.customers.lookup import load_customer
from resolvers.customers.payloads import CustomerPayload
from resolvers.jobs.payloads import JobPayload

Info = strawberry.Info[Context, None]


@strawberry.type
class PrivacyMutations:
    @perm.guarded_mutation(
        perm.CONSENTS, "set consents", "Appends a decision to the consent history; it applies from the next request."
    )
    async def set_consent(
        self, info: Info, customer_id: strawberry.ID, purpose: ConsentPurpose, granted: bool, source: str
    ) -> CustomerPayload:
        ctx = info.context
        pk = decode_id(customer_id, "Customer", "customerId")
        async with ctx.transaction() as conn:
            survivor = await set_consent(
                conn, customer_id=pk, purpose=purpose.value, granted=granted, source=source, at=utcnow()
            )
        return CustomerPayload(customer=await load_customer(ctx, survivor))

    @perm.guarded_mutation(perm.ERASURE, "request erasure", "ADMIN only.")
    async def request_erasure(self, info: Info, customer_id: strawberry.ID) -> JobPayload:
        not_implemented("requestErasure")

    @perm.guarded_mutation(perm.EXPORT, "request exports", "ADMIN or SUPPORT_AGENT.")
    async def request_export(self, info: Info, customer_id: strawberry.ID) -> JobPayload:
        not_implemented("requestExport")
