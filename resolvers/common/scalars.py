"""DateTime (UTC on output), Date and Decimal (money as a string such as "129.90")."""

from __future__ import annotations

import datetime as dt
import decimal

import strawberry
from strawberry.types.scalar import ScalarDefinition

from domain.errors import InvalidInput


def _parse_datetime(value: object) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput("DateTime must be ISO-8601, e.g. 2026-01-31T09:30:00Z") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _serialize_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _parse_date(value: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput("Date must be ISO-8601, e.g. 1990-05-17") from exc


def _parse_decimal(value: object) -> decimal.Decimal:
    try:
        parsed = decimal.Decimal(str(value))
    except decimal.InvalidOperation as exc:
        raise InvalidInput('Decimal must be a number such as "129.90"') from exc
    if not parsed.is_finite():
        raise InvalidInput("Decimal must be finite")
    return parsed


SCALAR_MAP: dict[object, ScalarDefinition] = {
    dt.datetime: strawberry.scalar(
        name="DateTime",
        description="ISO-8601 date and time with offset; always UTC on output.",
        serialize=_serialize_datetime,
        parse_value=_parse_datetime,
    ),
    dt.date: strawberry.scalar(
        name="Date",
        description="ISO-8601 calendar date.",
        serialize=lambda v: v.isoformat(),
        parse_value=_parse_date,
    ),
    decimal.Decimal: strawberry.scalar(
        name="Decimal",
        description='Money, serialized as a string such as "129.90".',
        serialize=lambda v: f"{v:.2f}",
        parse_value=_parse_decimal,
    ),
}


def money(cents: int | None) -> decimal.Decimal:
    """Integer minor units from the database as a Decimal with two places."""
    return decimal.Decimal(cents or 0).scaleb(-2)
