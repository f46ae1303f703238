"""`C360_SECRET` of at least 32 bytes and tokens of at most 30 days, through the real CLI: a bad
setting or argument is one line on stderr and exit status 2, never a traceback; the development
key made under var/ satisfies the rule (a short one left from before is replaced)."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from pathlib import Path

import jwt
import pytest

from api.app import create_app
from domain.settings import MIN_SECRET_BYTES, ConfigurationError, Settings
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[2]


async def cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "C360_SECRET", "REDIS_URL")}
    environment |= {"C360_VAR_DIR": str(tmp_path), **env}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", *args, cwd=ROOT, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


def one_line_error(err: str) -> str:
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith("c360: error: ")
    return line


async def test_a_short_secret_stops_the_server_and_the_cli_with_one_line(tmp_path) -> None:
    for command in (("serve", "--port", "0"), ("token", "--role", "ADMIN")):
        code, out, err = await cli(tmp_path, *command, C360_SECRET="short")
        assert code == 2 and out == ""
        assert f"C360_SECRET must be at least {MIN_SECRET_BYTES} bytes" in one_line_error(err)
    # The rule counts bytes: 11 three-byte characters are 33 bytes.
    code, out, _ = await cli(tmp_path, "token", "--role", "ADMIN", C360_SECRET="密" * 11)
    assert code == 0 and out.count(".") == 2
    with pytest.raises(ConfigurationError):
        create_app(settings=_settings(tmp_path, "x" * (MIN_SECRET_BYTES - 1)))


async def test_token_ttl_is_at_most_30_days(tmp_path) -> None:
    code, _, err = await cli(tmp_path, "token", "--role", "ADMIN", "--ttl", str(30 * 86400 + 1), C360_SECRET=SECRET)
    assert code == 2 and "--ttl" in one_line_error(err)
    code, out, _ = await cli(tmp_path, "token", "--role", "ADMIN", "--ttl", str(30 * 86400), C360_SECRET=SECRET)
    claims = jwt.decode(out.strip(), SECRET, algorithms=["HS256"])
    assert code == 0 and claims["exp"] - claims["iat"] == 30 * 86400


async def test_the_development_key_is_long_enough_and_a_short_one_is_replaced(tmp_path) -> None:
    key_file = tmp_path / "dev-secret"
    for before in (None, "old-short-key"):
        if before is not None:
            key_file.write_text(before)
        code, out, _ = await cli(tmp_path, "token", "--role", "ADMIN")
        key = key_file.read_text().strip()
        assert code == 0 and len(key.encode()) >= MIN_SECRET_BYTES and key != before
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert jwt.decode(out.strip(), key, algorithms=["HS256"])["role"] == "ADMIN"
    kept = key_file.read_text()
    await cli(tmp_path, "token", "--role", "ADMIN")
    assert key_file.read_text() == kept  # a good key stays: tokens made with it keep working


def _settings(tmp_path: Path, secret: str) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        redis_url=None,
        secret=secret,
        default_region="CN",
        blocked_identifiers=None,
        var_dir=tmp_path,
    )
