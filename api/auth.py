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

from domain.callers.caller import Caller
from domain.privacy.roles import Role
from domain.settings import Settings

ALGORITHM = "HS256"
TOKEN_CACHE_SIZE = 4096
# (secret, token) -> (exp as a POSIX time, subject, role, purpose claim), oldest first
_verified: dict[tuple[str, str], tuple[float, str, Role, str | None]] = {}


class Unauthenticated(Exception):
    """No or bad credentials: the request answers HTTP 401."""


def issue_token(secret: str, *, role: Role, subject: str, ttl_seconds: int = 3600) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": subject, "role": role.value, "iat": now, "exp": now + dt.timedelta(seconds=ttl_seconds)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def caller_from_token(secret: str, token: str, purpose: str | None = None) -> Caller:
    cached = _verified.get((secret, token))
    if cached is not None and cached[0] > time.time():
        return Caller(subject=cached[1], role=cached[2], purpose=purpose or cached[3])
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "role", "exp"]})
        role = Role(claims["role"])
        expires = float(claims["exp"])
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        _verified.pop((secret, token), None)
        raise Unauthenticated("invalid or expired token") from exc
    subject, claimed_purpose = str(claims["sub"]), claims.get("purpose")
    if len(_verified) >= TOKEN_CACHE_SIZE:
        del _verified[next(iter(_verified))]
    _verified[(secret, token)] = (expires, subject, role, claimed_purpose)
    return Caller(subject=subject, role=role, purpose=purpose or claimed_purpose)


async def authenticate(engine: AsyncEngine, settings: Settings, headers: Mapping[str, str]) -> Caller:
    """The caller of a request, from `Authorization: Bearer` or `X-API-Key`; else Unauthenticated."""
    purpose = headers.get("x-c360-purpose")
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return caller_from_token(settings.secret, authorization[7:].strip(), purpose)
    api_key = headers.get("x-api-key")
    if api_key:
        from api.api_keys import caller_from_api_key

        return await caller_from_api_key(engine, api_key, purpose)
    raise Unauthenticated("credentials required: Authorization: Bearer <token> or X-API-Key")
