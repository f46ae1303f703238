"""Writes the request's audit trail once the operation has run: one entry per customer whose
personal values went out in clear. If the trail cannot be written, the response carries an
error and no data: a clear read that leaves no trace is not answered.

On PostgreSQL the entries are one INSERT ... SELECT FROM unnest on the request's own autocommit
connection (one statement for any number of customers: a 50-customer list used to be 50
executions of an executemany): the database commits it before the statement returns, so the
trail is durable before the response leaves, without a second connection or BEGIN/COMMIT.
SQLite runs each row of an executemany on its own in autocommit, so there a trail of several
customers is written in a transaction of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.db import is_sqlite, is_unavailable
from domain.metrics import AUDIT_ENTRIES, AUDIT_FAILURES
from domain.privacy.audit import audit_insert, write_audit_entries
from resolvers.context import Context

log = structlog.get_logger("c360.audit")


class AuditWriter(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        yield
        ctx = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(ctx, Context) or result is None or not ctx.audit.fields:
            return
        fields = ctx.audit.fields
        try:
            sqlite = is_sqlite(ctx.engine)
            if not sqlite or len(fields) == 1:
                statement, params = audit_insert(
                    postgres=not sqlite, caller=ctx.caller, request_id=ctx.request_id, fields=fields
                )
                await ctx.execute_autocommit(statement, params)
            else:
                async with ctx.engine.begin() as conn:
                    await write_audit_entries(conn, caller=ctx.caller, request_id=ctx.request_id, fields=fields)
            AUDIT_ENTRIES.inc(len(fields))
        except Exception as exc:
            log.error("audit_write_failed", request_id=ctx.request_id, error_type=type(exc).__name__)
            AUDIT_FAILURES.inc()
            result.data = None
            # The database did not answer in time: UNAVAILABLE (HTTP 503), the caller may retry.
            code = "UNAVAILABLE" if is_unavailable(exc) else "INTERNAL"
            result.errors = [
                GraphQLError(
                    f"the audit trail could not be written, so no data is returned (request id {ctx.request_id})",
                    extensions={"code": code, "requestId": ctx.request_id},
                )
            ]
