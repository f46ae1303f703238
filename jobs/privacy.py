"""The privacy jobs: erasure and export of one customer (requested by requestErasure and
requestExport). Both are idempotent: an erasure run twice finds nothing more to remove, an
export run twice writes the same document again."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.callers.caller import Caller
from domain.privacy.audit import write_audit_entries
from domain.privacy.erasure import erase_customer
from domain.privacy.export import export_customer
from domain.privacy.roles import Role


async def erasure_job(engine: AsyncEngine, job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    async with engine.begin() as conn:
        return await erase_customer(conn, int(params["customer_id"]))


async def export_job(engine: AsyncEngine, job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The document, masked for the requester's role; its clear values are audited in the same
    transaction that reads them, so an export whose audit entry cannot be written fails."""
    caller = Caller(subject=str(params["subject"]), role=Role(params["role"]), purpose=params.get("purpose"))
    async with engine.begin() as conn:
        document, clear = await export_customer(conn, int(params["customer_id"]), role=caller.role)
        if clear:
            await write_audit_entries(
                conn, caller=caller, request_id=f"job:{job_id}", fields={int(document["customer"]["id"]): clear}
            )
    return document
