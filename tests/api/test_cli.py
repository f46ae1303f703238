"""The `c360` command as an operator meets it: --version, described options with defaults,
API keys listed and revoked, and misconfiguration as one clean line (no traceback, no token)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from domain.privacy.roles import Role
from tests.conftest import PG_ADMIN_URL, SECRET

ROOT = Path(__file__).resolve().parents[2]


async def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", *args, cwd=ROOT, env=env or dict(os.environ),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "C360_SECRET": SECRET, "C360_VAR_DIR": str(tmp_path), **extra}


async def test_version_and_described_options() -> None:
    status, out, _ = await run("--version")
    assert status == 0 and out.startswith("c360 0.")
    status, out, _ = await run("serve", "--help")
    assert status == 0
    assert "TCP port to listen on (default: 8000)" in out and "address to listen on (default: 127.0.0.1)" in out
    assert "(default: False)" not in out
    status, out, _ = await run("import", "--help")
    assert "--rejects FILE" in out and "lines per transaction (default: 500)" in out and "exit status 0" in out


async def test_api_keys_are_listed_and_revoked(client, database_url, tmp_path) -> None:
    env = _env(database_url, tmp_path)
    keys = []
    for name in ("shop-a", "shop-b"):
        status, out, _ = await run("apikey", "create", "--name", name, "--role", Role.PARTNER.value, env=env)
        assert status == 0
        keys.append(out.strip())
    prefix_a, prefix_b = (key.split("_", 2)[1] for key in keys)
    status, out, _ = await run("apikey", "list", env=env)
    assert status == 0 and prefix_a in out and prefix_b in out and "shop-a" in out and "PARTNER" in out
    assert keys[0] not in out and keys[0].split("_", 2)[2] not in out  # never the secret part (which may hold "_")

    status, _, err = await run("apikey", "revoke", prefix_a, env=env)
    assert status == 0 and "revoked" in err
    query = {"query": "{ viewer { role subject } }"}
    refused = await client.post("/graphql", json=query, headers={"X-API-Key": keys[0]})
    assert refused.status_code == 401
    kept = await client.post("/graphql", json=query, headers={"X-API-Key": keys[1]})
    assert kept.json()["data"]["viewer"] == {"role": "PARTNER", "subject": "apikey:shop-b"}
    status, out, _ = await run("apikey", "list", env=env)
    assert prefix_a not in out and prefix_b in out
    status, out, _ = await run("apikey", "list", "--all", env=env)
    assert prefix_a in out
    status, _, err = await run("apikey", "revoke", prefix_a, env=env)
    assert status == 2 and err.startswith("c360: error: no active API key") and err.count("\n") == 1


async def test_postgresql_without_a_secret_is_one_line(tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": PG_ADMIN_URL, "C360_VAR_DIR": str(tmp_path)}
    env.pop("C360_SECRET", None)
    status, out, err = await run("serve", "--demo", "--port", "1", env=env)
    assert status == 2 and out == ""
    assert err == "c360: error: C360_SECRET must be set when DATABASE_URL points at PostgreSQL\n"


async def test_a_port_already_taken_fails_before_serving_or_printing_a_token(database_url, tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, out, err = await run(
            "serve", "--demo", "--customers", "3", "--port", str(port), env=_env(database_url, tmp_path)
        )
    assert status == 2 and out == "" and "serving" not in err and "Traceback" not in err
    assert err == f"c360: error: port {port} on 127.0.0.1 is already in use (pick another with --port)\n"
