"""`auditLog`: the trail of clear reads, newest first (ADMIN only, gated on the root field)."""

from __future__ import annotations

from domain.privacy import audit as sql
from domain.privacy.roles import Role
from resolvers.common.ids import decode_id, encode_id
from resolvers.common.node import PageInfo
from resolvers.common.pagination import check_first, decode_cursor, encode_cursor
from resolvers.context import Context
from resolvers.privacy.types import AuditEntry, AuditEntryConnection, AuditEntryEdge


async def audit_log(
    ctx: Context, customer_id: str | None, first: int | None, after: str | None
) -> AuditEntryConnection:
    limit = check_first(first, default=50)
    about: int | None = None
    if customer_id is not None:
        about = decode_id(customer_id, "Customer", "customerId")
        about = await ctx.scalar(sql.survivor_of([about])) or about  # a merged-away id: its survivor
    cursor = decode_cursor(after)
    rows = await ctx.rows(sql.audit_page(about, int(cursor[0]) if cursor else None, limit + 1))
    page = rows[:limit]
    edges = [
        AuditEntryEdge(
            cursor=encode_cursor(r.id),
            node=AuditEntry(
                at=r.at,
                subject=r.subject,
                role=Role(r.role),
                purpose=r.purpose,
                customer_id=encode_id("Customer", r.customer_id),  # type: ignore[arg-type]
                fields=list(r.fields),
            ),
        )
        for r in page
    ]
    return AuditEntryConnection(
        edges=edges,
        page_info=PageInfo.of_keyset(rows, limit, after=after, cursor_of=lambda r: encode_cursor(r.id)),
        total_count=int(await ctx.scalar(sql.audit_count(about))),
    )
