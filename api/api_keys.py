"""Partner API keys: `c360_<prefix>_<secret>`, stored as an argon2 hash and shown once.

Verifying argon2 costs tens of milliseconds (and 64 MiB) by design, so it runs off the event
loop, in a pool of `VERIFY_THREADS` threads (the server keeps answering; the pool bounds memory
and CPU under a flood of bad keys), and a verified key is remembered in process (by its SHA-256)
for a minute; revocation is therefore effective within a minute. A key whose prefix matches no
key is verified against a dummy hash, so a bad key costs the same whether its prefix exists or
not: timing tells an attacker nothing about which prefixes exist.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import Unauthenticated
from domain import limits
from domain.base import table_of, utcnow
from domain.callers.caller import Caller
from domain.callers.models import ApiKey
from domain.privacy.roles import Role

_hasher = PasswordHasher()
_keys = table_of(ApiKey)
_verified: dict[str, tuple[float, str, Role]] = {}
CACHE_SECONDS = 60.0
PREFIX_WIDTH = 16  # api_keys.prefix: a longer prefix cannot exist
VERIFY_THREADS = max(2, os.cpu_count() or 2)
_pool = ThreadPoolExecutor(max_workers=VERIFY_THREADS, thread_name_prefix="c360-argon2")


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random key with the same parameters as real keys: verified in place of a hash
    when the prefix is unknown (made once, on first need, in the pool)."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _matches(key_hash: str | None, key: str) -> bool:
    try:
        return _hasher.verify(key_hash or _dummy_hash(), key) and key_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_off_loop(key_hash: str | None, key: str) -> bool:
    """Whether `key` matches `key_hash` (None: the dummy hash, never a match), in the pool."""
    return await asyncio.get_running_loop().run_in_executor(_pool, _matches, key_hash, key)


def cached_caller(key: str, purpose: str | None = None) -> Caller | None:
    """The caller of a key verified in the last minute by this process, without any work."""
    cached = _verified.get(hashlib.sha256(key.encode()).hexdigest())
    if cached and cached[0] > time.monotonic():
        return Caller(subject=f"apikey:{cached[1]}", role=cached[2], purpose=purpose, via_api_key=True)
    return None


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
    known = cached_caller(key, purpose)
    if known is not None:
        return known
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "c360" or len(parts[1]) > PREFIX_WIDTH or limits.NUL in key:
        raise Unauthenticated("invalid API key")
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(_keys).where(_keys.c.prefix == parts[1], _keys.c.revoked_at.is_(None)))
        ).first()
    if not await verify_off_loop(row.key_hash if row is not None else None, key) or row is None:
        raise Unauthenticated("invalid API key")
    role = Role(row.role)
    _verified[hashlib.sha256(key.encode()).hexdigest()] = (time.monotonic() + CACHE_SECONDS, row.name, role)
    return Caller(subject=f"apikey:{row.name}", role=role, purpose=purpose, via_api_key=True)
