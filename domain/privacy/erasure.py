"""Erasure on request (`requestErasure`, run as a job): afterwards no table holds the customer's
personal values, identifiers or external ids in clear.

- The customer and every one of its channel profiles lose their personal fields; its
  identifiers are deleted.
- Each profile's `(channel, externalId)` is suppressed as a keyed hash
  (domain/privacy/suppression.py) and the profile row, kept for the orders and aggregates that
  point at it, takes the placeholder key `erased:<hash>`.
- Every consent purpose gets a WITHDRAWN decision (source "erasure"); consent sources naming a
  profile key name its placeholder instead.
- Text and documents kept about the customer (ticket subjects, feedback comments, points
  reasons, audit purposes, merge event details, its jobs' parameters and results, segment
  filters) have its values replaced (domain/privacy/redaction.py); the results of earlier
  exports are dropped, and stored idempotent responses that carried its clear values (found
  through their requests' audit entries) are replaced by a notice; ticket message bodies and
  follow-up notes (free text of the conversation) are emptied.

Orders, tickets, feedback, points and scores stay on the anonymized customer, so aggregates
remain right. Idempotent: a second run finds nothing left to remove and appends nothing. Nothing
brings the values back: survivorship only copies profile values (now blank), scores never write
personal fields, and the suppressed keys and removed identifiers stop new profiles from joining.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Column, Table, bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.callers.models import IdempotencyRecord
from domain.customers.models import ChannelProfile, Customer, CustomerRedirect, Identifier, MergeEvent
from domain.feedback.models import Feedback
from domain.jobs.models import Job
from domain.loyalty.models import PointsEntry
from domain.privacy.access import customer_for_write
from domain.privacy.consents import PURPOSES, rebuild_current_consents, record_consents
from domain.privacy.models import AuditEntry, ConsentRecord, CurrentConsent
from domain.privacy.redaction import Redactor, redactor_for
from domain.privacy.roles import Role
from domain.privacy.suppression import is_placeholder, placeholder, suppress
from domain.segments.models import Segment
from domain.service.messages import erase_conversations
from domain.service.models import Ticket

ERASURE_JOB = "privacy.erasure"
EXPORT_JOB = "privacy.export"
SOURCE = "erasure"
# Country stays (coarse, and what regional aggregates need); everything finer goes.
PERSONAL_CUSTOMER_FIELDS = ("display_name", "email", "phone", "birth_date", "city", "district", "line1", "postal_code")
PERSONAL_PROFILE_FIELDS = (*PERSONAL_CUSTOMER_FIELDS, "member_card")
# What a replay of a stored response that held an erased customer's values answers instead.
FORGOTTEN_RESPONSE = orjson.dumps(
    {
        "data": None,
        "errors": [
            {
                "message": "the first response to this request was removed by an erasure request",
                "extensions": {"code": "CONFLICT"},
            }
        ],
    }
).decode()

_customers = table_of(Customer)
_profiles = table_of(ChannelProfile)
_identifiers = table_of(Identifier)
_redirects = table_of(CustomerRedirect)
_current = table_of(CurrentConsent)
_history = table_of(ConsentRecord)
_jobs = table_of(Job)
_audit = table_of(AuditEntry)
_merge_events = table_of(MergeEvent)
_idempotency = table_of(IdempotencyRecord)
_segments = table_of(Segment)
# Free text kept with the customer's records: kept, with the customer's values redacted.
_FREE_TEXT = (
    (table_of(Ticket), "subject"),
    (table_of(Feedback), "comment"),
    (table_of(PointsEntry), "reason"),
)


async def resolve_customer(conn: AsyncConnection, customer_id: int, *, lock: bool = False) -> Any:
    """The customer row for an id, following a merge redirect; NotFound when there is none."""
    return await customer_for_write(conn, customer_id, Role.ADMIN, field=["customerId"], lock=lock)


async def erase_customer(conn: AsyncConnection, customer_id: int, *, at: dt.datetime | None = None) -> dict[str, int]:
    """Erase the customer (see the module docstring); returns what was done, in counts."""
    at = at or utcnow()
    customer = await resolve_customer(conn, customer_id, lock=True)
    cid = int(customer.id)
    ids = [cid, *(await conn.scalars(select(_redirects.c.from_id).where(_redirects.c.customer_id == cid)))]
    profiles = (await conn.execute(select(_profiles).where(_profiles.c.customer_id == cid))).all()
    live = [p for p in profiles if not is_placeholder(p.external_id)]
    digests = await suppress(conn, customer_id=cid, keys=[(p.channel, p.external_id) for p in live], at=at)
    placeholders = {key: placeholder(digest) for key, digest in digests.items()}
    identifier_values = await conn.scalars(select(_identifiers.c.value).where(_identifiers.c.customer_id == cid))
    redactor = redactor_for(placeholders, [customer._mapping, *[p._mapping for p in profiles]], identifier_values.all())

    await _blank_profiles(conn, cid, live, placeholders)
    removed = (await conn.execute(delete(_identifiers).where(_identifiers.c.customer_id == cid))).rowcount
    withdrawn, redacted = await _withdraw_consents(conn, cid, [p.id for p in profiles], redactor, at)
    redacted += await _redact_records(conn, cid, ids, redactor)
    await conn.execute(
        update(_customers)
        .where(_customers.c.id == cid)
        .values(updated_at=at, erased_at=customer.erased_at or at, **dict.fromkeys(PERSONAL_CUSTOMER_FIELDS))
    )
    await erase_conversations(conn, cid)
    dropped = (
        await conn.execute(
            update(_jobs)
            .where(_jobs.c.customer_id.in_(ids), _jobs.c.kind == EXPORT_JOB, _jobs.c.result.is_not(None))
            .values(result=None)
        )
    ).rowcount
    return {
        "customerId": cid,
        "profilesBlanked": len(profiles),
        "keysSuppressed": len(live),
        "identifiersRemoved": int(removed or 0),
        "consentsWithdrawn": withdrawn,
        "exportsDropped": int(dropped or 0),
        "recordsRedacted": redacted,
        "responsesForgotten": await _forget_stored_responses(conn, ids),
    }


async def _blank_profiles(
    conn: AsyncConnection, customer_id: int, live: Sequence[Any], placeholders: dict[tuple[str, str], str]
) -> None:
    """Every profile loses its personal fields; those still under their key take the placeholder."""
    blank = dict.fromkeys(PERSONAL_PROFILE_FIELDS)
    await conn.execute(update(_profiles).where(_profiles.c.customer_id == customer_id).values(**blank))
    if live:
        await conn.execute(
            update(_profiles).where(_profiles.c.id == bindparam("pid")).values(external_id=bindparam("placeholder")),
            [{"pid": p.id, "placeholder": placeholders[p.channel, p.external_id]} for p in live],
        )


async def _withdraw_consents(
    conn: AsyncConnection, customer_id: int, profile_ids: list[int], redactor: Redactor, at: dt.datetime
) -> tuple[int, int]:
    """Sources redacted in the history (and so in the current decisions), then a WITHDRAWN
    decision for every purpose not already withdrawn; (decisions appended, rows redacted)."""
    history = or_(_history.c.customer_id == customer_id, _history.c.profile_id.in_(profile_ids))
    redacted = await _redact_texts(conn, _history, _history.c.source, history, redactor)
    withdrawn_already = {
        r.purpose
        for r in await conn.execute(
            select(_current.c.purpose).where(_current.c.customer_id == customer_id, _current.c.granted.is_(False))
        )
    }
    decisions = [(p, False) for p in PURPOSES if p not in withdrawn_already]
    await record_consents(conn, customer_id=customer_id, decisions=decisions, source=SOURCE, at=at, trusted=True)
    if redacted:
        await rebuild_current_consents(conn, customer_id)  # current decisions copy their history's source
    return len(decisions), redacted


async def _redact_records(conn: AsyncConnection, customer_id: int, ids: list[int], redactor: Redactor) -> int:
    """The customer's values out of the text and documents kept about it; rows changed."""
    done = 0
    for table, column in _FREE_TEXT:
        done += await _redact_texts(conn, table, table.c[column], table.c.customer_id == customer_id, redactor)
    done += await _redact_texts(conn, _audit, _audit.c.purpose, _audit.c.customer_id.in_(ids), redactor)
    events = _merge_events.c.customer_id == customer_id
    done += await _redact_documents(conn, _merge_events, _merge_events.c.details, events, redactor)
    done += await _redact_documents(conn, _segments, _segments.c.filter, None, redactor)
    return done + await _redact_jobs(conn, ids, redactor)


def _primary_key(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns)


async def _rewrite(
    conn: AsyncConnection, table: Table, column: Column[Any], rows: Sequence[Any], new_values: list[Any]
) -> int:
    """Write the changed values back by primary key; how many rows changed."""
    keys = _primary_key(table)
    changed = [
        {**{f"pk_{k.name}": getattr(row, k.name) for k in keys}, "new_value": new}
        for row, new in zip(rows, new_values, strict=True)
        if new != getattr(row, column.name)
    ]
    if changed:
        condition = [k == bindparam(f"pk_{k.name}") for k in keys]
        await conn.execute(update(table).where(*condition).values({column.name: bindparam("new_value")}), changed)
    return len(changed)


async def _redact_texts(
    conn: AsyncConnection, table: Table, column: Column[Any], where: Any, redactor: Redactor
) -> int:
    if not redactor:
        return 0
    rows = (await conn.execute(select(*_primary_key(table), column).where(where, column.is_not(None)))).all()
    return await _rewrite(conn, table, column, rows, [redactor.text(getattr(r, column.name)) for r in rows])


async def _redact_documents(
    conn: AsyncConnection, table: Table, column: Column[Any], where: Any, redactor: Redactor
) -> int:
    if not redactor:
        return 0
    query = select(*_primary_key(table), column)
    rows = (await conn.execute(query if where is None else query.where(where))).all()
    return await _rewrite(conn, table, column, rows, [redactor.document(getattr(r, column.name)) for r in rows])


async def _redact_jobs(conn: AsyncConnection, ids: list[int], redactor: Redactor) -> int:
    """The customer's jobs: parameters, error messages and (JSON text) results."""
    if not redactor:
        return 0
    mine = _jobs.c.customer_id.in_(ids)
    done = await _redact_documents(conn, _jobs, _jobs.c.params, mine, redactor)
    done += await _redact_texts(conn, _jobs, _jobs.c.error, mine, redactor)
    rows = (await conn.execute(select(_jobs.c.id, _jobs.c.result).where(mine, _jobs.c.result.is_not(None)))).all()
    results = []
    for row in rows:
        document = json.loads(row.result)
        redacted = redactor.document(document)
        results.append(row.result if redacted == document else json.dumps(redacted, sort_keys=True, default=str))
    return done + await _rewrite(conn, _jobs, _jobs.c.result, rows, results)


async def _forget_stored_responses(conn: AsyncConnection, ids: list[int]) -> int:
    """Stored idempotent responses whose request read the customer's values in clear (every
    clear value a response carries is audited under its request id) answer a notice instead."""
    requests = select(_audit.c.request_id).where(_audit.c.customer_id.in_(ids))
    done = await conn.execute(
        update(_idempotency)
        .where(
            _idempotency.c.request_id.in_(requests),
            _idempotency.c.response.is_not(None),
            _idempotency.c.response != FORGOTTEN_RESPONSE,
        )
        .values(response=FORGOTTEN_RESPONSE)
    )
    return int(done.rowcount or 0)
