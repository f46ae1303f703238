"""Consent and privacy-operation mutations."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from domain.base import utcnow
from domain.jobs.requests import jobs, request_job
from domain.privacy.consents import set_consent
from domain.privacy.erasure import ERASURE_JOB, EXPORT_JOB, resolve_customer
from resolvers.common import permissions as perm
from resolvers.common.enums import ConsentPurpose
from resolvers.common.ids import decode_id
from resolvers.context import Context
from resolvers.customers.lookup import load_customer
from resolvers.customers.payloads import CustomerPayload
from resolvers.jobs.payloads import JobPayload
from resolvers.jobs.types import Job

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
                conn,
                customer_id=pk,
                purpose=purpose.value,
                granted=granted,
                source=source,
                at=utcnow(),
                role=ctx.caller.role,
            )
        return CustomerPayload(customer=await load_customer(ctx, survivor))

    @perm.guarded_mutation(
        perm.ERASURE,
        "request erasure",
        "ADMIN only. A job removes the customer's personal data and suppresses its channel keys.",
    )
    async def request_erasure(self, info: Info, customer_id: strawberry.ID) -> JobPayload:
        return await _request(info, ERASURE_JOB, customer_id)

    @perm.guarded_mutation(
        perm.EXPORT,
        "request exports",
        "ADMIN or SUPPORT_AGENT. The job's result is the JSON document, masked for the requester's role.",
    )
    async def request_export(self, info: Info, customer_id: strawberry.ID) -> JobPayload:
        return await _request(info, EXPORT_JOB, customer_id)


async def _request(info: Info, kind: str, customer_id: strawberry.ID) -> JobPayload:
    """Queue a privacy job for the customer (a merged-away id: its survivor), committed with
    the request; the caller's role and purpose go with it (an export is masked for that role)."""
    ctx = info.context
    caller = ctx.caller
    async with ctx.transaction() as conn:
        customer = await resolve_customer(conn, decode_id(customer_id, "Customer", "customerId"))
        params = {"customer_id": customer.id, "subject": caller.subject, "role": caller.role.value}
        if caller.purpose:
            params["purpose"] = caller.purpose
        job_id = await request_job(
            conn,
            kind,
            params,
            customer_id=customer.id,
            requested_by=caller.subject,
            dedupe_key=f"{kind}:{customer.id}" if kind == ERASURE_JOB else None,
        )
        row = (await conn.execute(select(jobs).where(jobs.c.id == job_id))).one()
    return JobPayload(job=Job(row=row))
