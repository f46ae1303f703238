"""Identity review: `duplicateCandidates` and `resolveDuplicateCandidate` (ADMIN, SUPPORT_AGENT)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from domain.customers import review as sql
from domain.customers.merging import merge_customers
from resolvers.common import permissions as perm
from resolvers.common.ids import decode_id, encode_id
from resolvers.common.node import Node, PageInfo
from resolvers.common.pagination import check_first, decode_cursor, encode_cursor
from resolvers.context import Context
from resolvers.customers.payloads import CustomerPayload

if TYPE_CHECKING:
    from resolvers.customers.types import Customer

Info = strawberry.Info[Context, None]
REVIEWERS = perm.MERGE  # who decides merges decides candidates


@strawberry.enum(description="A staff decision on a duplicate candidate.")
class CandidateDecision(enum.Enum):
    MERGE = "MERGE"
    KEEP_APART = "KEEP_APART"


@strawberry.type(description="Two or more customers that may be one person, for staff to decide.")
class DuplicateCandidate(Node):
    row: strawberry.Private[Any]

    @strawberry.field(description="Global, opaque and stable.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("DuplicateCandidate", self.row.id))

    @strawberry.field(description="The customers the candidate's profiles belong to now.")
    async def customers(self, info: Info) -> list[Annotated[Customer, strawberry.lazy("resolvers.customers.types")]]:
        from resolvers.customers.lookup import load_customer

        found = [await load_customer(info.context, int(c)) for c in (self.row.a, self.row.b)]
        return [c for c in found if c is not None]

    @strawberry.field(description="How likely they are one person, 0..1 (Fellegi-Sunter weights).")
    def confidence(self) -> float:
        return float(self.row.confidence)

    @strawberry.field(description="Why they were proposed: identifiers in their masked form, names as staff read them.")
    def reasons(self, info: Info) -> list[str]:
        shown = sql.shown_reasons(self.row.reasons)
        if any(reason.get("kind") == "NAMES" for reason in self.row.reasons):
            for customer_id in (self.row.a, self.row.b):  # names in clear: audited like any clear read
                info.context.audit.record(int(customer_id), "DuplicateCandidate.reasons")
        return shown

    @strawberry.field(description="When it was proposed.")
    def created_at(self) -> dt.datetime:
        return self.row.created_at  # type: ignore[no-any-return]


@strawberry.type
class DuplicateCandidateEdge:
    cursor: str
    node: DuplicateCandidate


@strawberry.type
class DuplicateCandidateConnection:
    edges: list[DuplicateCandidateEdge]
    page_info: PageInfo
    total_count: int


async def duplicate_candidates(
    ctx: Context, first: int | None, after: str | None, min_confidence: float | None
) -> DuplicateCandidateConnection:
    limit = check_first(first)
    cursor = decode_cursor(after, arity=2)
    position = (float(cursor[0]), int(cursor[1])) if cursor else None
    rows = await ctx.rows(sql.candidate_page(min_confidence, position, limit + 1))
    page = rows[:limit]
    edges = [
        DuplicateCandidateEdge(cursor=encode_cursor(r.confidence, r.id), node=DuplicateCandidate(row=r)) for r in page
    ]
    return DuplicateCandidateConnection(
        edges=edges,
        page_info=PageInfo.of_keyset(rows, limit, after=after, cursor_of=lambda r: encode_cursor(r.confidence, r.id)),
        total_count=int(await ctx.scalar(sql.candidate_count(min_confidence))),
    )


async def load_candidate(ctx: Context, pk: int) -> DuplicateCandidate | None:
    """`node(id)`: reviewers only; a decided candidate or one whose customers merged is gone."""
    if ctx.caller.role not in REVIEWERS:
        return None
    rows = await ctx.rows(sql.candidate_page(None, None, 1).where(sql.candidates.c.id == pk))
    return DuplicateCandidate(row=rows[0]) if rows else None


@strawberry.type
class ReviewQueries:
    @strawberry.field(
        extensions=perm.roles_allowed(REVIEWERS),
        description="Open duplicate candidates, most confident first (ADMIN, SUPPORT_AGENT).",
    )
    async def duplicate_candidates(
        self, info: Info, first: int | None = 20, after: str | None = None, min_confidence: float | None = None
    ) -> DuplicateCandidateConnection:
        return await duplicate_candidates(info.context, first, after, min_confidence)


@strawberry.type
class ReviewMutations:
    @perm.guarded_mutation(
        REVIEWERS,
        "resolve duplicate candidates",
        "MERGE: the normal merge into the older customer (undo with unmergeProfile); KEEP_APART: "
        "remembered, automatic matching never proposes or merges the pair again.",
    )
    async def resolve_duplicate_candidate(
        self, info: Info, id: strawberry.ID, decision: CandidateDecision
    ) -> CustomerPayload:
        from resolvers.customers.lookup import load_customer
        from resolvers.customers.mutations import identity_rules

        ctx, rules = info.context, identity_rules(info.context)
        pk = decode_id(id, "DuplicateCandidate", "id")
        status = sql.MERGED if decision is CandidateDecision.MERGE else sql.KEPT_APART

        async def decide(conn: Any) -> int:
            a, b = await sql.decide_candidate(conn, pk, status, subject=ctx.caller.subject)
            if status != sql.MERGED:
                return a
            target, source = sorted((a, b))  # the older customer survives, as automatic merges do
            return await merge_customers(conn, target_id=target, source_id=source, rules=rules)

        customer_id = await ctx.write(decide)
        return CustomerPayload(customer=await load_customer(ctx, customer_id))
