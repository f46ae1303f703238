"""Bearer JWTs (HS256 with C360_SECRET) and partner API keys (stored hashed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import jwt
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.callers.caller import Caller
from domain.privacy.roles import Role
from domain.settings import Settings

ALGORITHM = "HS256"


class Unauthenticated(Exception):
    """No or bad credentials: the request answers HTTP 401."""


def issue_token(secret: str, *, role: Role, subject: str, ttl_seconds: int = 3600) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": subject, "role": role.value, "iat": now, "exp": now + dt.timedelta(seconds=ttl_seconds)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def caller_from_token(secret: str, token: str, purpose: str | None = None) -> Caller:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "role", "exp"]})
        role = Role(claims["role"])
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise Unauthenticated("invalid or expired token") from exc
    return Caller(subject=str(claims["sub"]), role=role, purpose=purpose or claims.get("purpose"))


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
