"""DateTime (UTC on output), Date and Decimal (money as a string such as "129.90").

Parsing is domain/limits.py's (one parser for GraphQL and imports); ranges (years 1900-2199,
money bounds) are checked by the domain's validation of each input, which knows the field."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError, ValueNode, value_from_ast_untyped
from strawberry.types.scalar import ScalarDefinition

from domain import limits
from domain.errors import InvalidInput


def _invalid(error: InvalidInput) -> GraphQLError:
    """A GraphQLError (not the InvalidInput itself), so graphql-core reports it as it is, with its
    code and without appending the value; error shaping adds the input's path (`extensions.field`)."""
    return GraphQLError(error.message, extensions={"code": error.code.value})


def _parse_datetime(value: object) -> dt.datetime:
    try:
        return limits.parse_moment(str(value), ["DateTime"])
    except InvalidInput as error:
        raise _invalid(error) from None


def _serialize_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _parse_date(value: object) -> dt.date:
    try:
        return limits.parse_day(str(value), ["Date"])
    except InvalidInput as error:
        raise _invalid(error) from None


def _parse_decimal(value: object) -> decimal.Decimal:
    try:
        return limits.decimal_number(value, ["Decimal"])
    except InvalidInput as error:
        raise _invalid(error) from None


def _literal(parse: Callable[[object], Any]) -> Callable[..., Any]:
    """A literal in the document parsed like a variable's value, its error pointing at the literal
    (so error shaping can name the argument it sits in)."""

    def parse_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> Any:
        try:
            return parse(value_from_ast_untyped(node))
        except GraphQLError as error:
            raise GraphQLError(error.message, node, extensions=error.extensions) from None

    return parse_literal


SCALAR_MAP: dict[object, ScalarDefinition] = {
    dt.datetime: strawberry.scalar(
        name="DateTime",
        description="ISO-8601 date and time with offset; always UTC on output.",
        serialize=_serialize_datetime,
        parse_value=_parse_datetime,
        parse_literal=_literal(_parse_datetime),
    ),
    dt.date: strawberry.scalar(
        name="Date",
        description="ISO-8601 calendar date.",
        serialize=lambda v: v.isoformat(),
        parse_value=_parse_date,
        parse_literal=_literal(_parse_date),
    ),
    decimal.Decimal: strawberry.scalar(
        name="Decimal",
        description='Money, serialized as a string such as "129.90".',
        serialize=lambda v: f"{v:.2f}",
        parse_value=_parse_decimal,
        parse_literal=_literal(_parse_decimal),
    ),
}


def money(cents: int | None) -> decimal.Decimal:
    """Integer minor units from the database as a Decimal with two places."""
    return decimal.Decimal(cents or 0).scaleb(-2)
