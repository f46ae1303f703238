"""Partner API keys: `c360_<prefix>_<secret>`, stored as an argon2 hash and shown once.

Verifying argon2 costs tens of milliseconds by design, so a verified key is remembered in
process (by its SHA-256) for a minute; revocation is therefore effective within a minute.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import Unauthenticated
from domain.base import table_of
from domain.callers.caller import Caller
from domain.callers.models import ApiKey
from domain.privacy.roles import Role

_hasher = PasswordHasher()
_keys = table_of(ApiKey)
_verified: dict[str, tuple[float, str, Role]] = {}
CACHE_SECONDS = 60.0


async def create_api_key(engine: AsyncEngine, *, name: str, role: Role) -> str:
    prefix = secrets.token_hex(6)
    key = f"c360_{prefix}_{secrets.token_urlsafe(32)}"
    async with engine.begin() as conn:
        await conn.execute(insert(_keys).values(name=name, role=role.value, prefix=prefix, key_hash=_hasher.hash(key)))
    return key


async def caller_from_api_key(engine: AsyncEngine, key: str, purpose: str | None = None) -> Caller:
    digest = hashlib.sha256(key.encode()).hexdigest()
    cached = _verified.get(digest)
    if cached and cached[0] > time.monotonic():
        return Caller(subject=f"apikey:{cached[1]}", role=cached[2], purpose=purpose, via_api_key=True)
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "c360":
        raise Unauthenticated("invalid API key")
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(_keys).where(_keys.c.prefix == parts[1], _keys.c.revoked_at.is_(None)))
        ).first()
    if row is None:
        raise Unauthenticated("invalid API key")
    try:
        _hasher.verify(row.key_hash, key)
    except VerificationError as exc:
        raise Unauthenticated("invalid API key") from exc
    role = Role(row.role)
    _verified[digest] = (time.monotonic() + CACHE_SECONDS, row.name, role)
    return Caller(subject=f"apikey:{row.name}", role=role, purpose=purpose, via_api_key=True)
