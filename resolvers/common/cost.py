"""The query cost budget, computed from `first` arguments before anything runs (GitHub-style).

A field with a `first` argument (a connection or a paged list) costs the number of items it may
return times the items its parents may return: `customers(first: 50) { … orders(first: 20) }`
costs 50 + 50 * 20 = 1050, plus 1 for the request. A query above `Settings.query_cost_limit`
answers COST_LIMIT_EXCEEDED without running; the cost is told in `extensions.cost` either way.
The cost is also what the per-caller rate limit spends (429 RATE_LIMITED with Retry-After).
A `first` outside 0..100 anywhere in the query is INVALID_INPUT, also before anything runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from graphql.pyutils import Undefined
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from resolvers.common.pagination import MAX_FIRST

COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def first(self, node: FieldNode, default: Any) -> int | None:
        value: Any = default
        for arg in node.arguments or ():
            if arg.name.value != "first":
                continue
            if isinstance(arg.value, IntValueNode):
                value = int(arg.value.value)
            elif isinstance(arg.value, VariableNode):
                value = self.variables.get(arg.value.name.value, default)
        if value is None or value is Undefined or isinstance(value, bool) or not isinstance(value, int):
            return None if default in (None, Undefined) else int(default)
        if value < 0 or value > MAX_FIRST:
            raise GraphQLError(
                f"`first` must be between 0 and {MAX_FIRST}",
                nodes=[node],
                extensions={"code": "INVALID_INPUT", "field": "first"},
            )
        return value

    def cost(self, selections: SelectionSetNode, parent: Any, multiplier: int) -> int:
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", {})
                definition = fields.get(selection.name.value)
                if definition is None:
                    continue
                child = multiplier
                if "first" in definition.args:
                    first = self.first(selection, definition.args["first"].default_value)
                    child = multiplier * (first if first is not None else MAX_FIRST)
                    total += child
                named = get_named_type(definition.type)
                if selection.selection_set is not None:
                    total += self.cost(selection.selection_set, named, child)
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                typ = self.schema.get_type(cond.name.value) if cond else parent
                total += self.cost(selection.selection_set, typ, multiplier)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    typ = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.cost(fragment.selection_set, typ, multiplier)
        return total


def operation_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any]
) -> int:
    """1 + the items every `first`-paged field may return (see the module docstring)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 1
    root = schema.get_root_type(operation.operation)
    if not isinstance(root, GraphQLObjectType | GraphQLInterfaceType):
        return 1
    return 1 + _Walk(schema, document, variables).cost(operation.selection_set, root, 1)


class CostLimiter(SchemaExtension):
    """Refuses, before execution, queries above the cost budget or beyond the caller's rate."""

    cost: int | None = None

    def _refuse(self, error: GraphQLError) -> None:
        self.execution_context.result = GraphQLExecutionResult(data=None, errors=[error])

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context.context
        document = self.execution_context.graphql_document
        limit = ctx.settings.query_cost_limit
        if document is not None:
            try:
                self.cost = operation_cost(
                    self.execution_context.schema._schema,
                    document,
                    self.execution_context.operation_name,
                    self.execution_context.variables or {},
                )
            except GraphQLError as error:
                self._refuse(error)
        if self.cost is not None and self.cost > limit:
            self._refuse(
                GraphQLError(
                    f"this query may cost {self.cost} and the limit is {limit}: ask for fewer items with `first`",
                    extensions={"code": COST_LIMIT_EXCEEDED, "cost": {"requested": self.cost, "limit": limit}},
                )
            )
        elif self.cost is not None and ctx.rate_limiter is not None:
            ctx.rate_limit = ctx.rate_limiter.spend(ctx.caller.subject, self.cost)
            wait = ctx.rate_limit.retry_after
            if wait is not None:
                ctx.retry_after = max(1, math.ceil(wait)) if math.isfinite(wait) else 3600
                self._refuse(
                    GraphQLError(
                        f"rate limited: retry in {ctx.retry_after} s",
                        extensions={"code": "RATE_LIMITED", "retryAfter": ctx.retry_after},
                    )
                )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requested": self.cost, "limit": self.execution_context.context.settings.query_cost_limit}}
