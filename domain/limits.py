"""Input limits: what a value must be for the database to hold it (contract "Trust": bad values
are input errors).

Every write path checks its input here, in the domain's validation of that input, so GraphQL
mutations, `c360 import` and anything else that writes answer the same `INVALID_INPUT` with the
same field path, never a driver error turned INTERNAL:

- text: no NUL character (PostgreSQL's text cannot hold one) and no longer than its column;
- times and dates: in the years 1900 to 2199 (UTC), so that date arithmetic never overflows;
- money: finite, at most two decimals and at most `MAX_AMOUNT` (an order's total included), so
  any realistic sum of orders fits the BIGINT minor units the database keeps;
- quantities: 1 to `MAX_QUANTITY`; ids: what a BIGINT holds.

Messages name the field and the rule, never the value (it may be personal data).
docs/privacy.md "Input limits" has the table.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from typing import Any

from domain.errors import InvalidInput

FIRST_YEAR = 1900
LAST_YEAR = 2199
EARLIEST = dt.datetime(FIRST_YEAR, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(LAST_YEAR, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
CENT = decimal.Decimal("0.01")
MAX_AMOUNT = decimal.Decimal("9999999999.99")  # < 10^12 minor units: 9 million such orders fit a BIGINT sum
MAX_QUANTITY = 1_000_000
MAX_ID = 2**63 - 1  # BIGINT
NUL = "\x00"

Field = Sequence[str]


def _name(field: Field) -> str:
    """The last named step of a path: `lines.0.sku` is called `sku`."""
    return next((step for step in reversed(field) if not step.isdigit()), "value")


def _invalid(field: Field, reason: str) -> InvalidInput:
    return InvalidInput(f"{_name(field)} {reason}", field=list(field))


def width(column: Any) -> int | None:
    """The length of a String column (None for unbounded text)."""
    return getattr(column.type, "length", None)


def text_problem(value: str, *, max_length: int | None = None, required: bool = False) -> str | None:
    """Why `value` cannot be stored (None when it can): checked on the trimmed value."""
    if NUL in value:
        return "must not contain NUL characters"
    trimmed = value.strip()
    if required and not trimmed:
        return "must not be empty"
    if max_length is not None and len(trimmed) > max_length:
        return f"is longer than {max_length} characters"
    return None


def text(value: str, field: Field, *, max_length: int | None = None, required: bool = False) -> str:
    """`value` trimmed, after checking it has no NUL, fits `max_length` and (if required) is not blank."""
    problem = text_problem(value, max_length=max_length, required=required)
    if problem is not None:
        raise _invalid(field, problem)
    return value.strip()


def optional_text(value: str | None, field: Field, *, max_length: int | None = None) -> str | None:
    """Like `text`, with None or a blank value answered as None."""
    if value is None:
        return None
    return text(value, field, max_length=max_length) or None


def moment(value: dt.datetime, field: Field) -> dt.datetime:
    """A timezone-aware time in the years FIRST_YEAR..LAST_YEAR (UTC)."""
    if value.tzinfo is None:
        raise _invalid(field, "must have a time zone")
    if not EARLIEST <= value <= LATEST:
        raise _invalid(field, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


def day(value: dt.date, field: Field) -> dt.date:
    """A calendar date in the years FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise _invalid(field, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


def parse_moment(raw: str, field: Field) -> dt.datetime:
    """ISO-8601 text as an aware UTC datetime (no offset: UTC): the one parser of the times
    callers send (GraphQL `DateTime`, import lines, stored filters). The range is the domain's
    check (`moment`), where the field is known; only a time that has no UTC form fails here."""
    try:
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        parsed = parsed.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+08:00 is before year 1 in UTC
        raise _invalid(field, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}") from None
    except ValueError:
        raise _invalid(field, "is not a valid ISO-8601 value") from None
    return parsed


def parse_day(raw: str, field: Field) -> dt.date:
    """An ISO-8601 calendar date (the range is the domain's check, `day`)."""
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _invalid(field, "is not a valid ISO-8601 value") from None


def decimal_number(raw: object, field: Field) -> decimal.Decimal:
    """A finite decimal from a string or a JSON number (GraphQL `Decimal`, import lines)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | decimal.Decimal):
        raise _invalid(field, 'must be a decimal string such as "12.00"')
    try:
        parsed = decimal.Decimal(str(raw))
    except decimal.InvalidOperation:
        raise _invalid(field, "is not a number") from None
    if not parsed.is_finite():
        raise _invalid(field, "must be finite")
    return parsed


def amount(value: decimal.Decimal, field: Field) -> decimal.Decimal:
    """An amount of money (or a bound on one, as in a filter): finite, at most MAX_AMOUNT either way."""
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise _invalid(field, f"must be at most {MAX_AMOUNT}")
    return value


def cents(value: decimal.Decimal, field: Field) -> int:
    """Money as integer minor units: an `amount` with at most two decimals."""
    amount(value, field)
    if value != value.quantize(CENT):
        raise _invalid(field, "has more than 2 decimals")
    return int(value.scaleb(2))


def total_cents(total: int, field: Field) -> int:
    """A sum of money (an order's total) within the same bound as a single amount."""
    if abs(total) > MAX_AMOUNT.scaleb(2):
        raise _invalid(field, f"add up to more than {MAX_AMOUNT}")
    return total


def quantity(value: int, field: Field) -> int:
    """A count of items: 1 to MAX_QUANTITY."""
    if not 1 <= value <= MAX_QUANTITY:
        raise _invalid(field, f"must be between 1 and {MAX_QUANTITY}")
    return value


def record_id(value: int, field: Field) -> int:
    """A row id that a BIGINT column can hold."""
    if not 0 <= value <= MAX_ID:
        raise _invalid(field, "is not a valid id")
    return value
