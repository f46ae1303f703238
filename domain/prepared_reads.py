"""The read path's SELECTs on asyncpg's own prepared statements, answered as SQLAlchemy `Row`s.

Why: a loader statement through `AsyncConnection.execute` spends most of its CPU in SQLAlchemy
(the cache key of the statement, the execution context, the DBAPI adaption of asyncpg run in a
greenlet, `CursorResult`), not in asyncpg. The SQL, its parameter order and its result columns
do not change between executions of one statement object, so they are taken once and reused:

- The first two executions of a statement object (on connections of a given dialect) go
  through SQLAlchemy as before, and the second one's result is the plan: the compiled statement
  SQLAlchemy used (its SQL text, parameter positions and bind processors, and the values it
  extracted from this statement object for its cache), and the result metadata (column keys,
  result processors).
- Later executions build the same positional parameters the way SQLAlchemy does
  (`construct_params`, then each parameter's bind processor), run the SQL with the driver
  connection's `fetch` (asyncpg prepares it once per connection and keeps it in its statement
  cache; `domain.base.key_in` makes one SQL text serve every batch size), and make each record a
  `Row` with the same metadata and result processors: what SQLAlchemy's result would have
  returned, value for value and type for type (`tests/domain/test_prepared_reads.py`).

SQLAlchemy keeps every case this does not reproduce: other drivers (SQLite), connections that
are not autocommit (a statement must join its transaction), anything listening to the engine's
execution events or logging its statements (so statement counters and tracing see every one),
statements whose SQL is finished per execution (expanding IN lists, literal-execute and
schema-translated parameters) or whose result filters columns. A statement that fails on the
driver runs once more through SQLAlchemy, which raises its usual error for it (and invalidates a
broken connection as usual); a read has no effect, so running it twice is harmless. Not after a
timeout (`domain.db.is_timeout`): that error is raised as it is, once.

Plans are held weakly by statement (and per dialect): statements built once at import keep
theirs for the process. A statement built per call is run once and never planned: a plan holds
the compiled statement, whose `statement` may be that very object, which would then never be
freed. The plan relies on SQLAlchemy internals (`Row`'s constructor, result metadata,
`_bind_processors`) of the version in uv.lock; the tests compare both paths row for row.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Dialect, Executable, Row
from sqlalchemy.engine import CursorResult
from sqlalchemy.engine.result import ResultMetaData
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

from domain.db import is_timeout


@dataclass(frozen=True, slots=True)
class Plan:
    """How one statement object runs on the driver: its SQL, its parameters and its rows."""

    sql: str
    compiled: SQLCompiler
    extracted: Sequence[BindParameter[Any]] | None  # the statement's own values in `compiled`
    positions: tuple[str, ...]  # parameter names in the order of $1, $2, ...
    bind: Mapping[str, Callable[[Any], Any]]  # bind processors by parameter name
    metadata: ResultMetaData
    processors: Sequence[Callable[[Any], Any] | None] | None  # result processors, None if none
    key_to_index: Mapping[Any, int]

    def args(self, params: Mapping[str, Any] | None) -> list[Any]:
        """The positional parameters SQLAlchemy would send for `params`."""
        values = self.compiled.construct_params(params, extracted_parameters=self.extracted, escape_names=False)
        assert values is not None
        bind = self.bind
        return [bind[key](values[key]) if key in bind else values[key] for key in self.positions]

    def rows(self, records: Sequence[Any]) -> list[Row[Any]]:
        metadata, processors, key_to_index = self.metadata, self.processors, self.key_to_index
        return [Row(metadata, processors, key_to_index, record) for record in records]  # type: ignore[arg-type]


def plan_of(result: CursorResult[Any]) -> Plan | None:
    """The plan of the statement `result` answered, or None where only SQLAlchemy will do."""
    context = result.context
    compiled = context.compiled
    metadata = result._metadata
    if (
        not isinstance(compiled, SQLCompiler)
        or not result.returns_rows
        or context.executemany
        or not compiled.positional
        or compiled.positiontup is None
        or compiled.post_compile_params
        or compiled.literal_execute_params
        or context.statement != compiled.string  # finished per execution (schema translation...)
        or compiled.isinsert
        or compiled.isupdate
        or compiled.isdelete
        or getattr(metadata, "_tuplefilter", None) is not None
    ):
        return None
    return Plan(
        sql=compiled.string,
        compiled=compiled,
        extracted=context.extracted_parameters,
        positions=tuple(compiled.positiontup),
        bind=dict(compiled._bind_processors),  # type: ignore[arg-type]
        metadata=metadata,
        processors=metadata._effective_processors,
        key_to_index=metadata._key_to_index,
    )


_UNSEEN = object()  # a statement not run yet on the dialect
_ONCE = object()  # run once: the next execution through SQLAlchemy makes its plan
# dialect -> statement -> its plan, _ONCE, or None where only SQLAlchemy will do
_PLANS: weakref.WeakKeyDictionary[Dialect, weakref.WeakKeyDictionary[Executable, object]] = weakref.WeakKeyDictionary()


class PreparedReads:
    """The SELECTs of one connection: on the driver where a plan serves, else through SQLAlchemy."""

    def __init__(self, conn: AsyncConnection, driver: Any | None) -> None:
        self.conn = conn
        self.driver = driver  # the asyncpg connection, None where SQLAlchemy runs every statement
        plans = _PLANS.get(conn.dialect)
        if plans is None:
            plans = _PLANS[conn.dialect] = weakref.WeakKeyDictionary()
        self._plans = plans

    @classmethod
    async def on(cls, conn: AsyncConnection) -> PreparedReads:
        """Reads on `conn`, an autocommit connection on asyncpg or any other."""
        driver = None
        if conn.dialect.driver == "asyncpg":
            raw = await conn.get_raw_connection()
            if getattr(raw.dbapi_connection, "autocommit", False):
                driver = raw.driver_connection
        return cls(conn, driver)

    def plan(self, statement: Executable) -> Plan | None:
        """The plan learnt for `statement` on this dialect (None: not learnt, or SQLAlchemy only)."""
        found = self._plans.get(statement)
        return found if isinstance(found, Plan) else None

    async def rows(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Sequence[Row[Any]]:
        driver = self.driver
        state = self._plans.get(statement, _UNSEEN) if driver is not None else None
        if driver is not None and isinstance(state, Plan) and not self._observed():
            try:
                return state.rows(await driver.fetch(state.sql, *state.args(params)))
            except Exception as error:  # SQLAlchemy runs it again below and raises its own error,
                if is_timeout(error):  # but not past a timeout: it would only wait as long again
                    raise
        result = await self.conn.execute(statement, dict(params or {}))
        rows = result.all()
        if state is _UNSEEN:
            self._plans[statement] = _ONCE
        elif state is _ONCE:
            self._plans[statement] = plan_of(result)
        return rows

    def _observed(self) -> bool:
        """Whether SQLAlchemy would tell anyone about a statement (events, statement logging)."""
        sync = self.conn.sync_connection
        return sync is None or sync._has_events or sync.engine._has_events or bool(sync._echo)
