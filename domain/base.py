"""Declarative base, naming convention and column types shared by every area's models.

Money is stored as integer minor units (cents/fen) so sums are exact on SQLite and PostgreSQL
alike; times are stored in UTC and always come back timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    DateTime,
    Dialect,
    Float,
    Integer,
    MetaData,
    Table,
    TypeDecorator,
    and_,
    any_,
    bindparam,
    false,
    or_,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BinaryExpression
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.type_api import _ResultProcessorType

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL; INTEGER on SQLite, where only "INTEGER PRIMARY KEY" autoincrements.
BigId = BigInteger().with_variant(Integer(), "sqlite")
JsonDoc = JSON().with_variant(JSONB(), "postgresql")


TIMESTAMPTZ_OID = 1184  # PostgreSQL's type of `timestamp with time zone` columns


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC (timestamptz on PostgreSQL, naive UTC text on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def result_processor(self, dialect: Dialect, coltype: object) -> _ResultProcessorType[dt.datetime] | None:
        # asyncpg decodes timestamptz as an aware datetime in dt.UTC already, which
        # process_result_value would return as it is: skip the call per value.
        if dialect.driver == "asyncpg" and coltype == TIMESTAMPTZ_OID:
            return None
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        return value.astimezone(dt.UTC)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for set-based statements."""
    return cast(Table, model.__table__)


class KeyIn(BinaryExpression[bool]):
    """`column IN (:name)` over a list of keys bound at execution (see `key_in`)."""

    inherit_cache = True


def key_in(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """`column IN (:name)` for a batch of keys bound as the list `:name`. SQLite gets an
    expanding IN list; PostgreSQL gets `column = ANY(:name)` with the list bound as one array,
    so one statement (and one prepared statement per connection) serves every batch size,
    where an IN list is a new SQL text, prepared anew, for each number of keys."""
    expr = column.in_(bindparam(name, expanding=True))
    assert isinstance(expr, BinaryExpression)
    return KeyIn(expr.left, expr.right, expr.operator, type_=expr.type)


@compiles(KeyIn, "postgresql")
def _key_in_array(element: KeyIn, compiler: SQLCompiler, **kw: Any) -> str:
    keys = bindparam(element.right.key, type_=ARRAY(element.left.type))
    return compiler.process(element.left == any_(keys), **kw)


def pair_in(first: Any, second: Any, pairs: Iterable[tuple[Any, Any]]) -> ColumnElement[bool]:
    """`(first, second) IN pairs`, written as `first = a AND second IN (...)` per distinct `a`:
    PostgreSQL plans a row-value IN list of hundreds of pairs as a scan, while this form uses the
    composite index (channel, external_id) or (kind, value) once per channel or kind."""
    grouped: dict[Any, list[Any]] = {}
    for a, b in pairs:
        grouped.setdefault(a, []).append(b)
    if not grouped:
        return false()
    return or_(*(and_(first == a, second.in_(bs)) for a, bs in grouped.items()))


class elapsed_seconds(FunctionElement[float]):
    """`elapsed_seconds(end, start)`: seconds from `start` to `end` as a float, on both databases."""

    type = Float()
    inherit_cache = True


@compiles(elapsed_seconds, "postgresql")
def _elapsed_pg(element: elapsed_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))::float8"


@compiles(elapsed_seconds, "sqlite")
def _elapsed_sqlite(element: elapsed_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400.0)"
