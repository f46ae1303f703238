"""`Idempotency-Key` on mutations: a retry with the same key and the same body answers the first
response again without running the mutation twice; the same key with another body, or while
the first request still runs, is CONFLICT. Keys are scoped by caller subject.

The key is claimed (a row with no response yet) before the mutation runs, so two concurrent
retries cannot both run it; the response is stored once it is known. A first attempt that ends
without a response (an HTTP error) releases its claim so a retry can run; a claim left by a
crashed process expires after CLAIM_TTL. Stored responses are deleted after RESPONSE_TTL (24 h).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import OperationType, parse
from graphql.error import GraphQLError
from graphql.utilities import get_operation_ast
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import table_of, utcnow
from domain.callers.models import IdempotencyRecord

_records = table_of(IdempotencyRecord)
MAX_KEY_LENGTH = 200
RESPONSE_TTL = dt.timedelta(hours=24)
CLAIM_TTL = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Claim:
    """The outcome of presenting a key: run the request (`claimed`), replay, or refuse."""

    claimed: bool = False
    replay: bytes | None = None
    conflict: str | None = None


def mutation_fingerprint(body: bytes) -> str | None:
    """The hash of a mutation request's content, or None when the body is not one mutation."""
    try:
        data: Any = orjson.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return None
        operation = get_operation_ast(parse(data["query"]), data.get("operationName"))
    except (orjson.JSONDecodeError, GraphQLError):
        return None
    if operation is None or operation.operation is not OperationType.MUTATION:
        return None
    content = {k: data.get(k) for k in ("query", "variables", "operationName")}
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def claim(engine: AsyncEngine, *, subject: str, key: str, fingerprint: str) -> Claim:
    now = utcnow()
    try:
        async with engine.begin() as conn:
            # Stored responses can hold personal data: none outlives RESPONSE_TTL; a claim whose
            # request never finished (a crashed process) is given up after CLAIM_TTL.
            await conn.execute(
                delete(_records).where(
                    or_(
                        _records.c.created_at < now - RESPONSE_TTL,
                        and_(_records.c.response.is_(None), _records.c.created_at < now - CLAIM_TTL),
                    )
                )
            )
            await conn.execute(
                insert(_records).values(subject=subject, key=key, request_hash=fingerprint, created_at=now)
            )
        return Claim(claimed=True)
    except IntegrityError:
        pass
    async with engine.connect() as conn:
        row = (await conn.execute(select(_records).where(_records.c.subject == subject, _records.c.key == key))).first()
    if row is None:  # released meanwhile: the caller may retry
        return Claim(conflict="a request with this Idempotency-Key just failed; retry")
    if row.request_hash != fingerprint:
        return Claim(conflict="this Idempotency-Key was already used with another request")
    if row.response is None:
        return Claim(conflict="a request with this Idempotency-Key is still running")
    return Claim(replay=row.response.encode())


async def store(engine: AsyncEngine, *, subject: str, key: str, response: bytes, request_id: str) -> None:
    """Keep the response with the id of the request that made it (its audit entries tell an
    erasure which stored responses hold the erased customer's values)."""
    async with engine.begin() as conn:
        await conn.execute(
            update(_records)
            .where(_records.c.subject == subject, _records.c.key == key)
            .values(response=response.decode(), request_id=request_id)
        )


async def release(engine: AsyncEngine, *, subject: str, key: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(delete(_records).where(_records.c.subject == subject, _records.c.key == key))
