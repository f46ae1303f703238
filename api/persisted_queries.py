"""Automatic persisted queries (Apollo's `persistedQuery` extension, version 1).

A client sends `extensions.persistedQuery.sha256Hash` without the query; a server that knows
the hash runs the query it stands for, else answers `PERSISTED_QUERY_NOT_FOUND` (HTTP 200, as
Apollo Client expects), and the client sends the query with its hash once. The server checks
that the hash is the query's SHA-256 (400 otherwise), runs it, and keeps it when it validated.
Texts are kept in the database (`persisted_queries`), so every process of every server knows
what any of them learnt; each process remembers the most used ones in memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from api.graphql_http import BadRequest, GraphQLRequest
from domain.base import table_of
from domain.callers.models import PersistedQuery
from resolvers.execution.documents import Lru

_table = table_of(PersistedQuery)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_known: Lru[str] = Lru(2048)  # sha256 -> query text, in this process
NOT_FOUND = "PersistedQueryNotFound"


class NotFound(Exception):
    """The hash is not known yet: the client is to send the query with it."""


@dataclasses.dataclass(frozen=True, slots=True)
class Resolved:
    request: GraphQLRequest
    learn: str | None = None  # the hash to keep once the query validated


async def resolve(engine: AsyncEngine, request: GraphQLRequest) -> Resolved:
    """The request with its query filled in from the hash it names (NotFound when unknown)."""
    extension = (request.extensions or {}).get("persistedQuery")
    if extension is None:
        return Resolved(request)
    if not isinstance(extension, dict) or extension.get("version") != 1:
        raise BadRequest("Unsupported persisted query version")
    digest = extension.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise BadRequest("persistedQuery.sha256Hash must be 64 lower-case hex digits")
    if request.query is not None:
        if hashlib.sha256(request.query.encode()).hexdigest() != digest:
            raise BadRequest("provided sha does not match query")
        return Resolved(request, learn=None if _cached(digest) else digest)
    query = _cached(digest) or await _stored(engine, digest)
    if query is None:
        raise NotFound(digest)
    return Resolved(dataclasses.replace(request, query=query))


def _cached(digest: str) -> str | None:
    try:
        return _known.get(digest, _missing)
    except KeyError:
        return None


def _missing() -> str:
    raise KeyError  # not remembered: Lru.get keeps nothing


async def _stored(engine: AsyncEngine, digest: str) -> str | None:
    async with engine.connect() as conn:
        query = (await conn.execute(select(_table.c.query).where(_table.c.sha256 == digest))).scalar()
    if query is not None:
        _known.get(digest, lambda: query)
    return query


async def learn(engine: AsyncEngine, digest: str, query: str) -> None:
    """Keep `query` under `digest` (another process may have kept it first)."""
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(_table).values(sha256=digest, query=query))
    except IntegrityError:
        pass
    _known.get(digest, lambda: query)
