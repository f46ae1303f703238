"""Erasure on request (`requestErasure`, run as a job).

The customer and every one of its channel profiles lose their personal fields, its identifiers
are deleted, every consent purpose gets a WITHDRAWN decision (source "erasure"), the results of
earlier exports are dropped, and each profile's `(channel, externalId)` is suppressed so that
ingesting it again answers CONFLICT. Orders, tickets, feedback, points and scores stay on the
anonymized customer, so aggregates remain right. The profile rows keep their key, as the
suppression list must; it is masked like any IDENTIFIER and no longer listed in `identifiers`.

Idempotent: a second run finds nothing left to remove and appends nothing. Nothing can bring the
values back: survivorship only copies profile values (now blank), scores never write personal
fields, and the suppressed keys and removed identifiers stop new profiles from joining.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.customers.models import ChannelProfile, Customer, CustomerRedirect, Identifier
from domain.jobs.models import Job
from domain.privacy.access import customer_for_write
from domain.privacy.consents import PURPOSES, record_consents
from domain.privacy.models import CurrentConsent, SuppressedProfileKey
from domain.privacy.roles import Role

ERASURE_JOB = "privacy.erasure"
EXPORT_JOB = "privacy.export"
SOURCE = "erasure"
# Country stays (coarse, and what regional aggregates need); everything finer goes.
PERSONAL_CUSTOMER_FIELDS = ("display_name", "email", "phone", "birth_date", "city", "district", "line1", "postal_code")
PERSONAL_PROFILE_FIELDS = (*PERSONAL_CUSTOMER_FIELDS, "member_card")

_customers = table_of(Customer)
_profiles = table_of(ChannelProfile)
_identifiers = table_of(Identifier)
_redirects = table_of(CustomerRedirect)
_suppressed = table_of(SuppressedProfileKey)
_current = table_of(CurrentConsent)
_jobs = table_of(Job)


async def resolve_customer(conn: AsyncConnection, customer_id: int, *, lock: bool = False) -> Any:
    """The customer row for an id, following a merge redirect; NotFound when there is none."""
    return await customer_for_write(conn, customer_id, Role.ADMIN, field=["customerId"], lock=lock)


async def erase_customer(conn: AsyncConnection, customer_id: int, *, at: dt.datetime | None = None) -> dict[str, int]:
    """Erase the customer (see the module docstring); returns what was done, in counts."""
    at = at or utcnow()
    customer = await resolve_customer(conn, customer_id, lock=True)
    cid = int(customer.id)
    keys = [
        (r.channel, r.external_id)
        for r in await conn.execute(
            select(_profiles.c.channel, _profiles.c.external_id).where(_profiles.c.customer_id == cid)
        )
    ]
    known = set()
    if keys:
        known = {
            (r.channel, r.external_id)
            for r in await conn.execute(
                select(_suppressed.c.channel, _suppressed.c.external_id).where(
                    tuple_(_suppressed.c.channel, _suppressed.c.external_id).in_(keys)
                )
            )
        }
    new_keys = [k for k in keys if k not in known]
    if new_keys:
        await conn.execute(
            insert(_suppressed),
            [{"channel": c, "external_id": e, "customer_id": cid, "suppressed_at": at} for c, e in new_keys],
        )
    blank = dict.fromkeys(PERSONAL_PROFILE_FIELDS)
    await conn.execute(update(_profiles).where(_profiles.c.customer_id == cid).values(**blank))
    removed = (await conn.execute(delete(_identifiers).where(_identifiers.c.customer_id == cid))).rowcount
    withdrawn_already = {
        r.purpose
        for r in await conn.execute(
            select(_current.c.purpose).where(_current.c.customer_id == cid, _current.c.granted.is_(False))
        )
    }
    decisions = [(p, False) for p in PURPOSES if p not in withdrawn_already]
    await record_consents(conn, customer_id=cid, decisions=decisions, source=SOURCE, at=at, trusted=True)
    await conn.execute(
        update(_customers)
        .where(_customers.c.id == cid)
        .values(updated_at=at, erased_at=customer.erased_at or at, **dict.fromkeys(PERSONAL_CUSTOMER_FIELDS))
    )
    dropped = (
        await conn.execute(
            update(_jobs)
            .where(_jobs.c.customer_id == cid, _jobs.c.kind == EXPORT_JOB, _jobs.c.result.is_not(None))
            .values(result=None)
        )
    ).rowcount
    return {
        "customerId": cid,
        "profilesBlanked": len(keys),
        "keysSuppressed": len(new_keys),
        "identifiersRemoved": int(removed or 0),
        "consentsWithdrawn": len(decisions),
        "exportsDropped": int(dropped or 0),
    }
