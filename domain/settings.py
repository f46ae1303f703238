"""Runtime settings read from the environment (see README "Configuration")."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class Timeouts:
    """Bounds of an engine's connections, in milliseconds (0: no statement timeout)."""

    statement_ms: int = 5000
    lock_ms: int = 2000
    pool_ms: int = 5000


class ConfigurationError(ValueError):
    """The environment does not describe a server that can run, e.g. a setting it cannot run
    with (the CLI prints the message as one line and exits 2)."""


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
    # Time bounds (docs/privacy.md "Every request is bounded"), in milliseconds: each statement of
    # a request, each wait for a row or table lock, each wait for a pooled connection (and for a
    # new connection to open). Jobs and the CLI run under `job_statement_timeout_ms` instead.
    statement_timeout_ms: int = 5000
    lock_timeout_ms: int = 2000
    pool_timeout_ms: int = 5000
    job_statement_timeout_ms: int = 600_000

    @property
    def request_timeouts(self) -> Timeouts:
        """The bounds of the server's engine (every GraphQL request)."""
        return Timeouts(self.statement_timeout_ms, self.lock_timeout_ms, self.pool_timeout_ms)

    @property
    def job_timeouts(self) -> Timeouts:
        """The bounds of jobs and CLI commands: a full score refresh reads every order in one
        statement, so statements get `job_statement_timeout_ms`; locks and the pool as requests."""
        return Timeouts(self.job_statement_timeout_ms, self.lock_timeout_ms, self.pool_timeout_ms)

    # Failed credentials from one client address before it is throttled, per window (api/credential_throttle.py).
    auth_failure_limit: int = 10
    auth_failure_window_seconds: int = 60
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


def check_secret(secret: str, where: str = "C360_SECRET") -> str:
    """The signing key must have at least MIN_SECRET_BYTES bytes (HS256 keys shorter than the hash
    can be brute-forced from one token)."""
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"{where} must be at least {MIN_SECRET_BYTES} bytes; make one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return secret


def _secret(var_dir: Path, database_url: str) -> str:
    secret = os.environ.get("C360_SECRET")
    if secret:
        return check_secret(secret)
    if database_url.startswith("postgresql"):
        raise ConfigurationError("C360_SECRET must be set when DATABASE_URL points at PostgreSQL")
    key_file = var_dir / "dev-secret"
    key = key_file.read_text().strip() if key_file.exists() else ""
    if len(key.encode()) < MIN_SECRET_BYTES:  # none yet, or one too short to sign with: a new one
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
    return key


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
        statement_timeout_ms=_milliseconds("C360_STATEMENT_TIMEOUT_MS", 5000),
        lock_timeout_ms=_milliseconds("C360_LOCK_TIMEOUT_MS", 2000),
        pool_timeout_ms=_milliseconds("C360_POOL_TIMEOUT_MS", 5000),
        job_statement_timeout_ms=_milliseconds("C360_JOB_STATEMENT_TIMEOUT_MS", 600_000),
        auth_failure_limit=int(os.environ.get("C360_AUTH_FAILURE_LIMIT", "10")),
        auth_failure_window_seconds=int(os.environ.get("C360_AUTH_FAILURE_WINDOW_SECONDS", "60")),
        cors_origins=_origins(os.environ.get("C360_CORS_ORIGINS", "")),
        access_log=os.environ.get("C360_ACCESS_LOG", "1") != "0",
    )


def _origins(value: str) -> tuple[str, ...]:
    """`C360_CORS_ORIGINS`: origins separated by commas or spaces (`*` allows any origin)."""
    return tuple(origin.rstrip("/") for origin in re.split(r"[,\s]+", value) if origin)


def _milliseconds(name: str, default: int) -> int:
    """A positive whole number of milliseconds: a bound of 0 or less would be no bound at all."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number of milliseconds, not {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be at least 1 (milliseconds)")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
