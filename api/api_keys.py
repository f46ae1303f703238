"""Partner API keys: `c360_<prefix>_<secret>`, stored as an argon2 hash and shown once.

Verifying argon2 costs tens of milliseconds by design, so a verified key is remembered in
process (by its SHA-256) for a minute; revocation is therefore effective within a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import Unauthenticated
from domain.base import table_of, utcnow
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


@dataclass(frozen=True)
class ApiKeyInfo:
    """What `c360 apikey list` shows of a key: never the key or its hash."""

    prefix: str
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


async def list_api_keys(engine: AsyncEngine, *, include_revoked: bool = False) -> list[ApiKeyInfo]:
    query = select(_keys.c.prefix, _keys.c.name, _keys.c.role, _keys.c.created_at, _keys.c.revoked_at)
    if not include_revoked:
        query = query.where(_keys.c.revoked_at.is_(None))
    async with engine.connect() as conn:
        rows = (await conn.execute(query.order_by(_keys.c.created_at, _keys.c.id))).all()
    return [ApiKeyInfo(r.prefix, r.name, r.role, r.created_at, r.revoked_at) for r in rows]


async def revoke_api_key(engine: AsyncEngine, prefix: str) -> bool:
    """Revokes the active key with this prefix; False when there is none. Servers that verified
    it lately keep accepting it for up to CACHE_SECONDS."""
    async with engine.begin() as conn:
        done = await conn.execute(
            update(_keys).where(_keys.c.prefix == prefix, _keys.c.revoked_at.is_(None)).values(revoked_at=utcnow())
        )
    return bool(done.rowcount)


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
