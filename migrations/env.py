"""Alembic environment: runs on the connection handed over by api.migrate (async-safe)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from domain.models import metadata

config = context.config


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `c360 migrate` (api.migrate), which passes a connection")
run_migrations(connection)
