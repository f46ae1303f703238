"""Errors answered to callers: domain errors keep their code, anything unexpected becomes
INTERNAL with no internals (no stack, no SQL, no DSN, no personal data); validation errors stay
readable. The full error goes to the log with the request id, never to the caller."""

from __future__ import annotations

import re
from collections.abc import Iterator

import structlog
from graphql import DocumentNode, GraphQLError
from sqlalchemy.exc import StatementError
from strawberry.extensions import SchemaExtension

from domain.errors import DomainError
from resolvers.common.input_paths import input_error
from resolvers.execution.documents import sees_schema

log = structlog.get_logger("c360.graphql")


# graphql-core's hint after an unknown name: " Did you mean 'birthDate'?" (names hold no "?").
_SUGGESTION = re.compile(r" Did you mean [^?]*\?")


def shape(
    error: GraphQLError, request_id: str, document: DocumentNode | None = None, *, suggestions: bool = True
) -> GraphQLError:
    """The error as the caller may see it; `suggestions` False (a partner): no "Did you mean"."""
    shaped = _shape(error, request_id, document)
    if suggestions or not _SUGGESTION.search(shaped.message):
        return shaped
    return GraphQLError(
        _SUGGESTION.sub("", shaped.message), nodes=shaped.nodes, path=shaped.path, extensions=shaped.extensions
    )


def _shape(error: GraphQLError, request_id: str, document: DocumentNode | None) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        refused = input_error(error, document)  # a value a variable or literal cannot take
        if refused is not None:
            return refused
    if original is None:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"}
        return error
    if isinstance(original, DomainError):
        extensions = {"code": original.code.value}
        if original.field:
            extensions["field"] = ".".join(original.field)
        return GraphQLError(original.message, nodes=error.nodes, path=error.path, extensions=extensions)
    if isinstance(original, GraphQLError):
        return GraphQLError(original.message, nodes=error.nodes, path=error.path, extensions=original.extensions)
    # Never the message: a driver's message can quote the values (e.g. a duplicate key's value).
    statement = original.statement if isinstance(original, StatementError) else None
    log.error(
        "resolver_failed",
        request_id=request_id,
        path=error.path,
        error_type=type(original).__name__,
        statement=statement,
    )
    return GraphQLError(
        "internal error (request id " + request_id + ")",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL", "requestId": request_id},
    )


class ErrorShaping(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            context = self.execution_context.context
            request_id = getattr(context, "request_id", "-")
            staff = sees_schema(context)
            document = self.execution_context.graphql_document
            result.errors = [shape(e, request_id, document, suggestions=staff) for e in result.errors]
