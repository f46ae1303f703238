"""Bearer JWTs (HS256 with C360_SECRET) and partner API keys (stored hashed).

A verified token is remembered in process (up to `TOKEN_CACHE_SIZE` tokens, each only until its
own `exp`), so a client that sends the same token with every request pays the signature check
once: the token string is the signed claims, so the same string always verifies the same way.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping

import jwt
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import limits
from domain.callers.caller import Caller
from domain.privacy.roles import Role
from domain.settings import Settings

ALGORITHM = "HS256"
MAX_TOKEN_SECONDS = 30 * 24 * 3600  # a token lives at most 30 days: `exp` - `iat`
MAX_SUBJECT = 200  # the width of the subject columns (audit entries, idempotency records)
MAX_PURPOSE = 100  # audit_entries.purpose
TOKEN_CACHE_SIZE = 4096
# (secret, token) -> (exp as a POSIX time, subject, role, purpose claim), oldest first
_verified: dict[tuple[str, str], tuple[float, str, Role, str | None]] = {}


class Unauthenticated(Exception):
    """No or bad credentials: the request answers HTTP 401."""


def check_ttl(ttl_seconds: int) -> int:
    if not 0 < ttl_seconds <= MAX_TOKEN_SECONDS:
        raise ValueError(f"a token's lifetime is 1 to {MAX_TOKEN_SECONDS} seconds (30 days)")
    return ttl_seconds


def issue_token(secret: str, *, role: Role, subject: str, ttl_seconds: int = 3600) -> str:
    check_ttl(ttl_seconds)
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": subject, "role": role.value, "iat": now, "exp": now + dt.timedelta(seconds=ttl_seconds)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _cached_token(secret: str, token: str, purpose: str | None) -> Caller | None:
    cached = _verified.get((secret, token))
    if cached is not None and cached[0] > time.time():
        return Caller(subject=cached[1], role=cached[2], purpose=purpose or cached[3])
    return None


def caller_from_token(secret: str, token: str, purpose: str | None = None) -> Caller:
    cached = _cached_token(secret, token, purpose)
    if cached is not None:
        return cached
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "role", "exp", "iat"]})
        role = Role(claims["role"])
        expires = _lifetime(claims)
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        _verified.pop((secret, token), None)
        raise Unauthenticated("invalid or expired token") from exc
    subject, claimed_purpose = claims["sub"], claims.get("purpose")
    if len(_verified) >= TOKEN_CACHE_SIZE:
        del _verified[next(iter(_verified))]
    _verified[(secret, token)] = (expires, subject, role, claimed_purpose)
    return Caller(subject=subject, role=role, purpose=purpose or claimed_purpose)


def _lifetime(claims: dict[str, object]) -> float:
    """`exp` after checking the claims a token must carry: numeric `exp` and `iat` (PyJWT would
    read "9999999999" as a number), at most MAX_TOKEN_SECONDS apart (PyJWT already refused an
    `iat` in the future and an `exp` in the past), a subject the database can store."""
    expires, issued = _number(claims["exp"]), _number(claims["iat"])
    if expires - issued > MAX_TOKEN_SECONDS:
        raise ValueError("the token lives longer than allowed")
    subject, purpose = claims["sub"], claims.get("purpose")
    if not isinstance(subject, str) or limits.text_problem(subject, max_length=MAX_SUBJECT, required=True):
        raise ValueError("sub must be a short text")
    if purpose is not None and (not isinstance(purpose, str) or limits.text_problem(purpose, max_length=MAX_PURPOSE)):
        raise ValueError("purpose must be a short text")
    return expires


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("exp and iat must be numbers")
    return float(value)


def _purpose(headers: Mapping[str, str]) -> str | None:
    purpose = headers.get("x-c360-purpose")
    if purpose is not None and limits.text_problem(purpose, max_length=MAX_PURPOSE):
        raise Unauthenticated(f"X-C360-Purpose must be at most {MAX_PURPOSE} characters")
    return purpose


def known_caller(settings: Settings, headers: Mapping[str, str]) -> Caller | None:
    """The caller of a request whose credential this process verified lately (no work, no I/O);
    None when it must be verified (`authenticate`)."""
    from api.api_keys import cached_caller

    purpose = _purpose(headers)
    authorization, api_key = headers.get("authorization", ""), headers.get("x-api-key")
    if authorization.lower().startswith("bearer "):
        return _cached_token(settings.secret, authorization[7:].strip(), purpose)
    return cached_caller(api_key, purpose) if api_key else None


async def authenticate(engine: AsyncEngine, settings: Settings, headers: Mapping[str, str]) -> Caller:
    """The caller of a request, from `Authorization: Bearer` or `X-API-Key`; else Unauthenticated."""
    purpose = _purpose(headers)
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return caller_from_token(settings.secret, authorization[7:].strip(), purpose)
    api_key = headers.get("x-api-key")
    if api_key:
        from api.api_keys import caller_from_api_key

        return await caller_from_api_key(engine, api_key, purpose)
    raise Unauthenticated("credentials required: Authorization: Bearer <token> or X-API-Key")
