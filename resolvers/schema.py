"""The GraphQL schema: every area's root fields merged into Query and Mutation."""

from __future__ import annotations

import os
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from resolvers.common.cost import CostLimiter
from resolvers.common.error_shaping import ErrorShaping
from resolvers.common.scalars import SCALAR_MAP
from resolvers.customers.mutations import CustomerMutations
from resolvers.customers.queries import CustomerQueries
from resolvers.customers.review import DuplicateCandidate, ReviewMutations, ReviewQueries
from resolvers.customers.types import ChannelProfile, Customer
from resolvers.execution.compiled import CompiledExecutor
from resolvers.execution.documents import DocumentCache, OperationChoice, limit_rules
from resolvers.execution.executor import FastExecutor
from resolvers.feedback.mutations import FeedbackMutations
from resolvers.loyalty.mutations import LoyaltyMutations
from resolvers.orders.mutations import OrderMutations
from resolvers.privacy.audit import AuditWriter
from resolvers.privacy.mutations import PrivacyMutations
from resolvers.root_queries import AreaQueries
from resolvers.scoring.mutations import ScoringMutations
from resolvers.segments.mutations import SegmentMutations
from resolvers.service.mutations import ServiceMutations
from resolvers.service.queries import ServiceQueries

# Abuse limits checked while parsing and validating, before any resolver runs (docs/privacy.md).
MAX_TOKENS = 5000
MAX_DEPTH = 12
MAX_ALIASES = 30
LIMIT_RULES = limit_rules(MAX_DEPTH, MAX_ALIASES)  # made once, so validation is cached per query text

# "compiled" (resolvers/execution/compiled.py, falling back on "fast" for what it does not plan),
# "fast" (resolvers/execution/executor.py) or "standard" (graphql-core's and strawberry's own).
EXECUTORS = ("compiled", "fast", "standard")
EXECUTION_CONTEXTS: dict[str, Any] = {"compiled": CompiledExecutor, "fast": FastExecutor, "standard": None}

Query = merge_types("Query", (CustomerQueries, ReviewQueries, AreaQueries, ServiceQueries))
Mutation = merge_types(
    "Mutation",
    (
        CustomerMutations,
        ReviewMutations,
        OrderMutations,
        PrivacyMutations,
        ServiceMutations,
        FeedbackMutations,
        LoyaltyMutations,
        SegmentMutations,
        ScoringMutations,
    ),
)


class C360Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Not strawberry's default, which logs each error's message and traceback: a database
        error's message quotes the statement's parameters, personal values among them.
        ErrorShaping logs unexpected errors by type, path and statement instead."""


def extensions() -> list[Any]:
    """The schema extensions, in order (the limits before the document cache they key)."""
    return [
        ErrorShaping,
        AuditWriter,
        CostLimiter,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(LIMIT_RULES),
        OperationChoice,
        DocumentCache,
    ]


def build_schema(executor: str | None = None, schema_extensions: list[Any] | None = None) -> strawberry.Schema:
    """The schema, executed by `executor` (default: C360_EXECUTOR, else "compiled"); all answer
    alike (tests/execution/), the standard one is kept to compare and to fall back on.
    `schema_extensions` replaces `extensions()` (bench/execution.py's baseline)."""
    executor = executor or os.environ.get("C360_EXECUTOR") or "compiled"
    if executor not in EXECUTORS:
        raise ValueError(f"C360_EXECUTOR must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    from resolvers.feedback.types import Feedback
    from resolvers.jobs.types import Job
    from resolvers.orders.types import Order
    from resolvers.segments.types import Segment
    from resolvers.service.types import Ticket

    return C360Schema(
        query=Query,
        mutation=Mutation,
        types=[Customer, ChannelProfile, Order, Ticket, Feedback, Segment, Job, DuplicateCandidate],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=EXECUTION_CONTEXTS[executor],
        extensions=extensions() if schema_extensions is None else schema_extensions,
    )


schema = build_schema()
