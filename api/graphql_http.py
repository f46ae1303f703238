"""GraphQL over HTTP without a framework view: parse the request, run `schema.execute`, encode.

The same rules as strawberry's view, minus what c360 does not serve (batches, uploads,
streaming transports), in a few plain functions: a POST carries a JSON object (`query`,
`variables`, `operationName`, `extensions`), a GET the same as query parameters and only
queries. A malformed request is `BadRequest` (HTTP 400 with a message); everything else is an
ordinary GraphQL response, encoded with orjson.

Media types (GraphQL over HTTP): a client that accepts `application/graphql-response+json` gets
it, with HTTP 400 for a request error (a document that does not parse or validate, variables
that do not coerce, no operation to choose: errors before execution, none with a `path`
nor INTERNAL);
others get `application/json` with HTTP 200 for those, as before the spec's watershed. A request
error's body never has `data` (the GraphQL spec: execution did not start).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

_ALLOWED = {method: frozenset(OperationType.from_http(method)) for method in ("GET", "POST")}
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


class BadRequest(Exception):
    """The request is not a GraphQL request c360 serves: HTTP 400 with `message`."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def _json(data: str | bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("Unable to parse request body as JSON") from exc


def _request_of(data: Any) -> GraphQLRequest:
    if isinstance(data, list):
        raise BadRequest("Batching is not enabled")
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object")
    query, variables, extensions = data.get("query"), data.get("variables"), data.get("extensions")
    operation_name = data.get("operationName")
    if not isinstance(query, str | None):
        raise BadRequest("The GraphQL operation's `query` must be a string or null, if provided.")
    if not isinstance(variables, dict | None):
        raise BadRequest("The GraphQL operation's `variables` must be an object or null, if provided.")
    if not isinstance(extensions, dict | None):
        raise BadRequest("The GraphQL operation's `extensions` must be an object or null, if provided.")
    if not isinstance(operation_name, str | None):
        raise BadRequest("The GraphQL operation's `operationName` must be a string or null, if provided.")
    return GraphQLRequest(query, variables, operation_name, extensions)


def parse_post(body: bytes, content_type: str) -> GraphQLRequest:
    if "application/json" not in content_type.split(";", 1)[0].strip().lower():
        raise BadRequest("Unsupported content type")
    return _request_of(_json(body))


def parse_get(params: Mapping[str, str]) -> GraphQLRequest:
    data: dict[str, Any] = dict(params)
    for name in ("variables", "extensions"):
        if data.get(name):
            data[name] = _json(data[name])
        else:
            data.pop(name, None)
    return _request_of(data)


async def execute(schema: BaseSchema, request: GraphQLRequest, method: str, context: Any) -> ExecutionResult:
    """`schema.execute` with the operation types `method` may run (a GET runs queries only)."""
    try:
        return await schema.execute(
            request.query,
            variable_values=request.variables,
            context_value=context,
            operation_name=request.operation_name,
            allowed_operation_types=_ALLOWED[method],
            operation_extensions=request.extensions,
        )
    except CannotGetOperationTypeError as exc:
        raise BadRequest(exc.as_http_error_reason()) from exc
    except InvalidOperationTypeError as exc:
        raise BadRequest(exc.as_http_error_reason(method)) from exc
    except MissingQueryError as exc:
        raise BadRequest("No GraphQL query found in the request") from exc


def response_media_type(accept: str | None) -> str:
    """`application/graphql-response+json` when the Accept header takes it at least as gladly
    as `application/json`, else `application/json` (also for no Accept header)."""
    if not accept:
        return JSON
    best: dict[str, float] = {}
    for item in accept.split(","):
        media, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        best[media] = max(best.get(media, 0.0), quality)
    graphql = best.get(GRAPHQL_RESPONSE_JSON, 0.0)
    json = max(best.get(JSON, 0.0), best.get("application/*", 0.0), best.get("*/*", 0.0))
    return GRAPHQL_RESPONSE_JSON if graphql > 0 and graphql >= json else JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Errors raised before execution began: no data, and no error located in the response nor
    INTERNAL (the audit trail withholds data after execution with an INTERNAL error)."""
    errors = result.errors or []
    return (
        result.data is None
        and bool(errors)
        and all(e.path is None and (e.extensions or {}).get("code") != "INTERNAL" for e in errors)
    )


def status_of(result: ExecutionResult, media_type: str) -> int:
    return 400 if media_type == GRAPHQL_RESPONSE_JSON and is_request_error(result) else 200


def encode(result: ExecutionResult) -> bytes:
    """The response body: `data` (unless execution never began), then `errors` and
    `extensions` when there are any."""
    body = process_result(result)
    if is_request_error(result):
        body.pop("data", None)
    return orjson.dumps(body)
