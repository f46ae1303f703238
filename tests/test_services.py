"""The PostgreSQL and Redis that `./dev test` hands the suite answer at the URLs it exports."""

import os

import psycopg
import pytest
import redis


def _url(name: str) -> str:
    url = os.environ.get(name)
    if not url:
        pytest.skip(f"{name} is not set (run the suite with ./dev test)")
    return url


def test_postgres_url_connects_as_an_admin() -> None:
    with psycopg.connect(_url("C360_TEST_POSTGRES_URL"), connect_timeout=5) as conn:
        query = "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        row = conn.execute(query).fetchone()
    assert row == (True,), "the suite creates and drops its own databases, so it needs CREATEDB"


def test_redis_url_answers() -> None:
    client = redis.Redis.from_url(_url("C360_TEST_REDIS_URL"), socket_connect_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()
