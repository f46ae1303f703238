"""Consent and privacy-operation mutations."""

from __future__ import annotations

import strawberry

from resolvers.common import permissions as perm
from resolvers.common.enums import ConsentPurpose
from resolvers.common.pending import not_implemented
from resolvers.context import Context
from resolvers.customers.payloads import CustomerPayload
from resolvers.jobs.payloads import JobPayload

Info = strawberry.Info[Context, None]


@strawberry.type
class PrivacyMutations:
    @perm.guarded_mutation(perm.CONSENTS, "set consents")
    async def set_consent(
        self, info: Info, customer_id: strawberry.ID, purpose: ConsentPurpose, granted: bool, source: str
    ) -> CustomerPayload:
        not_implemented("setConsent")

    @perm.guarded_mutation(perm.ERASURE, "request erasure", "ADMIN only.")
    async def request_erasure(self, info: Info, customer_id: strawberry.ID) -> JobPayload:
        not_implemented("requestErasure")

    @perm.guarded_mutation(perm.EXPORT, "request exports", "ADMIN or SUPPORT_AGENT.")
    async def request_export(self, info: Info, customer_id: strawberry.ID) -> JobPayload:
        not_implemented("requestExport")
