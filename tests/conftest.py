"""Test harness: every database test runs on SQLite and on PostgreSQL, each test on a fresh
database cloned from one migrated with Alembic (never `create_all`), named per run so parallel
runs never collide. GraphQL is exercised over HTTP through the real ASGI app."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from api.app import create_app
from api.auth import issue_token
from api.migrate import upgrade
from domain.db import make_engine
from domain.privacy.roles import Role
from domain.settings import Settings

RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
PG_ADMIN_URL = os.environ.get("C360_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = os.environ.get("C360_TEST_BACKENDS", "sqlite,postgresql").split(",")
SECRET = "test-secret-not-for-production-0123456789"
# Code that reads the secret from the environment (the keyed hash of erased keys, as the worker
# and the CLI do) sees the same one as the app the tests build with `settings`.
os.environ.setdefault("C360_SECRET", SECRET)


def _pg_url(database: str) -> str:
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


async def _pg_admin(sql: str) -> None:
    engine = create_async_engine(_pg_url(make_url(PG_ADMIN_URL).database or "postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(sql)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("c360")


@pytest.fixture(scope="session", params=BACKENDS)
async def template(request: pytest.FixtureRequest, tmp_root: Path) -> AsyncIterator[tuple[str, str]]:
    """A migrated template database per backend: ('sqlite', path) or ('postgresql', name)."""
    backend = request.param
    if backend == "sqlite":
        path = tmp_root / "template.db"
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()
        yield backend, str(path)
        return
    name = f"c360_test_{RUN_ID}_tpl"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    engine = make_engine(_pg_url(name), poolclass=None)
    await upgrade(engine)
    await engine.dispose()
    yield backend, name
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def database_url(template: tuple[str, str], tmp_root: Path) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    backend, source = template
    clone = f"t{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        path = tmp_root / f"{clone}.db"
        shutil.copyfile(source, path)
        yield f"sqlite+aiosqlite:///{path}"
        path.unlink(missing_ok=True)
        return
    name = f"c360_test_{RUN_ID}_{clone}"
    await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    yield _pg_url(name)
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def settings(database_url: str, tmp_root: Path) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=None,
        secret=SECRET,
        default_region="CN",
        blocked_identifiers=None,
        var_dir=tmp_root,
    )


def token(role: Role = Role.ADMIN, subject: str | None = None) -> str:
    return issue_token(SECRET, role=role, subject=subject or f"test-{role.value.lower()}")


class Api:
    """GraphQL over HTTP against the real ASGI app."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: Role = Role.ADMIN,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token(role)}", **(headers or {})},
        )

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: Role = Role.ADMIN,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The `data` of a successful response; fails the test on any GraphQL error."""
        response = await self.post(query, variables, role=role, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]  # type: ignore[no-any-return]


@pytest.fixture
async def client(engine: AsyncEngine, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings=settings, engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c360.test") as c:
        yield c


@pytest.fixture
def gql(client: httpx.AsyncClient) -> Api:
    return Api(client)


@pytest.fixture
def backend(template: tuple[str, str]) -> Iterator[str]:
    yield template[0]
