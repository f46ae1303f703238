"""Runtime settings read from the environment (see README "Configuration")."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The environment does not describe a server that can run (the CLI prints it as one line)."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    secret: str
    default_region: str
    blocked_identifiers: str | None
    var_dir: Path
    # Abuse limits (docs/privacy.md): the cost one query may have, and each caller's budget of
    # cost: a bucket of `rate_limit_burst` points refilled at `rate_limit_per_second`.
    query_cost_limit: int = 5000
    rate_limit_burst: int = 20000
    rate_limit_per_second: float = 200.0
    # Browser origins allowed to call the API (CORS), e.g. ("http://localhost:3000",); none by default.
    cors_origins: tuple[str, ...] = ()
    access_log: bool = True  # one log line per HTTP request (api/middleware.py)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")


def _var_dir() -> Path:
    path = Path(os.environ.get("C360_VAR_DIR", ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret(var_dir: Path, database_url: str) -> str:
    secret = os.environ.get("C360_SECRET")
    if secret:
        return secret
    if database_url.startswith("postgresql"):
        raise ConfigurationError("C360_SECRET must be set when DATABASE_URL points at PostgreSQL")
    key_file = var_dir / "dev-secret"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_settings() -> Settings:
    var_dir = _var_dir()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir / 'c360.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+asyncpg://" + database_url.removeprefix("postgresql://")
    return Settings(
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        secret=_secret(var_dir, database_url),
        default_region=os.environ.get("C360_DEFAULT_REGION", "CN"),
        blocked_identifiers=os.environ.get("C360_BLOCKED_IDENTIFIERS"),
        var_dir=var_dir,
        query_cost_limit=int(os.environ.get("C360_QUERY_COST_LIMIT", "5000")),
        rate_limit_burst=int(os.environ.get("C360_RATE_LIMIT_BURST", "20000")),
        rate_limit_per_second=float(os.environ.get("C360_RATE_LIMIT_PER_SECOND", "200")),
        cors_origins=_origins(os.environ.get("C360_CORS_ORIGINS", "")),
        access_log=os.environ.get("C360_ACCESS_LOG", "1") != "0",
    )


def _origins(value: str) -> tuple[str, ...]:
    """`C360_CORS_ORIGINS`: origins separated by commas or spaces (`*` allows any origin)."""
    return tuple(origin.rstrip("/") for origin in re.split(r"[,\s]+", value) if origin)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
