"""Channel keys erased on request: ingesting or ordering with one again answers CONFLICT.

The suppression list must recognise a key without holding it: each erased `(channel,
externalId)` is kept only as HMAC-SHA256 keyed with `C360_SECRET` (read from the environment by
`domain.settings`, the same value in the server, the worker, the CLI and the migrations). An
erased profile row keeps its place (orders and aggregates point at it) under the placeholder key
`erased:<digest>`, which is suppressed too, so nobody can write to an erased profile through it.

Rotating `C360_SECRET` makes the stored digests unrecognisable (erased keys could be ingested
again); docs/privacy.md "Erasure" says how to keep them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Collection, Iterable

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.errors import Conflict
from domain.privacy.models import SuppressedProfileKey
from domain.settings import get_settings

ERASED_PREFIX = "erased:"
_DOMAIN = b"c360 suppressed profile key\x00"  # the same secret signs tokens: keep the uses apart
_suppressed = table_of(SuppressedProfileKey)

Key = tuple[str, str]  # (channel, external id), as stored on the profile


def key_digest(channel: str, external_id: str, secret: str | None = None) -> str:
    """HMAC-SHA256 of `CHANNEL:externalId` keyed with the secret (hex, 64 characters)."""
    key = (secret if secret is not None else get_settings().secret).encode()
    return hmac.new(key, _DOMAIN + f"{channel}:{external_id}".encode(), hashlib.sha256).hexdigest()


def placeholder(digest: str) -> str:
    """The external id an erased profile keeps: nothing of the original, unique per key."""
    return ERASED_PREFIX + digest


def is_placeholder(external_id: str) -> bool:
    return external_id.startswith(ERASED_PREFIX)


async def suppressed_keys(conn: AsyncConnection, keys: Iterable[Key]) -> set[Key]:
    """The keys among `keys` that were erased (placeholders of erased profiles included)."""
    keys = set(keys)
    found = {k for k in keys if is_placeholder(k[1])}
    digests = {key_digest(*k): k for k in keys - found}
    wanted = list(digests)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = await conn.execute(select(_suppressed.c.key_hash).where(_suppressed.c.key_hash.in_(chunk)))
        found |= {digests[r.key_hash] for r in rows}
    return found


def erased_key_error(field: str) -> Conflict:
    return Conflict("this key was erased on request and cannot be ingested again", field=["input", field])


async def check_not_suppressed(conn: AsyncConnection, channel: str, external_id: str, field: str) -> None:
    if await suppressed_keys(conn, [(channel, external_id)]):
        raise erased_key_error(field)


async def suppress(
    conn: AsyncConnection, *, customer_id: int, keys: Collection[Key], at: dt.datetime
) -> dict[Key, str]:
    """Add the keys to the list (those already on it stay as they are); returns each key's
    digest. The caller replaces the keys wherever they are stored."""
    digests = {k: key_digest(*k) for k in keys}
    if not digests:
        return digests
    known = {
        r.key_hash
        for r in await conn.execute(
            select(_suppressed.c.key_hash).where(_suppressed.c.key_hash.in_(list(digests.values())))
        )
    }
    new = sorted(set(digests.values()) - known)
    if new:
        await conn.execute(
            insert(_suppressed), [{"key_hash": d, "customer_id": customer_id, "suppressed_at": at} for d in new]
        )
    return digests
