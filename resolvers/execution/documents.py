"""Parse and validation once per query text, for every request that sends the same text.

strawberry's `ParserCache` caches by text, but its `ValidationCache` is keyed by the parsed
document (a frozen dataclass hashed field by field, every request) and the validation rules;
`QueryDepthLimiter` and `MaxAliasesLimiter` make new rule classes for each instance, and
extensions are made per request, so it never hit: every request validated its document again
(~7 ms for the customer 360, bench/execution.py). `DocumentCache` keys both steps by the query
text (a string, whose hash Python keeps), the parse options and the rule classes, which
`limit_rules` makes once.

Partners get no map of the schema: for a caller outside the staff roles, validation also refuses
introspection (`__schema`, `__type`; `__typename` stays) and hides "Did you mean" suggestions
(`ErrorShaping` strips those of execution-time errors too).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from domain.privacy.roles import STAFF_ROLES

V = TypeVar("V")


class Lru(Generic[V]):
    """A bounded mapping that forgets the least recently used entry first."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: dict[Hashable, V] = {}

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        items = self._items
        try:
            value = items.pop(key)
        except KeyError:
            value = make()  # an exception (a syntax error) is not cached
            if len(items) >= self.maxsize:
                del items[next(iter(items))]
        items[key] = value
        return value

    def __len__(self) -> int:
        return len(self._items)


MAXSIZE = 512
_documents: Lru[DocumentNode] = Lru(MAXSIZE)
_validations: Lru[list[GraphQLError]] = Lru(MAXSIZE)


def limit_rules(max_depth: int, max_aliases: int) -> list[type[ASTValidationRule]]:
    """The depth and alias limits as validation rules, made once (not per request)."""
    return [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]


class DocumentCache(SchemaExtension):
    """strawberry's ParserCache and ValidationCache, keyed by the query text (module docstring)."""

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        query = ctx.query
        if query is not None and ctx.graphql_document is None:
            options: dict[str, Any] = dict(ctx.parse_options)
            key = (query, tuple(sorted(options.items())))
            ctx.graphql_document = _documents.get(key, lambda: parse(query, **options))
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if ctx.query is not None and document is not None and ctx.pre_execution_errors is None:
            schema = ctx.schema._schema
            staff = sees_schema(ctx.context)
            rules = ctx.validation_rules
            key = (schema, ctx.query, tuple(sorted(ctx.parse_options.items())), rules, staff)
            ctx.pre_execution_errors = _validations.get(key, lambda: validate_for(schema, document, rules, staff))
        yield


def sees_schema(context: Any) -> bool:
    """Whether the caller may introspect the schema and be told "Did you mean": staff only."""
    caller = getattr(context, "caller", None)
    return caller is not None and caller.role in STAFF_ROLES


def validate_for(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...], staff: bool
) -> list[GraphQLError]:
    """strawberry's validation (its own two rules added), with introspection refused and
    suggestions hidden for callers outside the staff roles."""
    every = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)
    if not staff:
        every = (*every, NoSchemaIntrospectionCustomRule)
    return validate(schema, document, every, hide_suggestions=not staff)
