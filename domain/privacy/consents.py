"""Consents: an append-only history and the current decision per purpose (latest decision wins)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import table_of
from domain.customers.models import Customer, CustomerRedirect
from domain.errors import Conflict, InvalidInput, NotFound
from domain.privacy.models import ConsentRecord, CurrentConsent

PURPOSES = ("MARKETING", "ANALYTICS", "PERSONALIZATION", "THIRD_PARTY_SHARING")
_history = table_of(ConsentRecord)
_current = table_of(CurrentConsent)
_customers = table_of(Customer)
_redirects = table_of(CustomerRedirect)


async def record_consent(
    conn: AsyncConnection,
    *,
    customer_id: int,
    purpose: str,
    granted: bool,
    source: str,
    at: dt.datetime,
    profile_id: int | None = None,
) -> None:
    """Append a decision and recompute the current one for that purpose."""
    await record_consents(
        conn, customer_id=customer_id, decisions=[(purpose, granted)], source=source, at=at, profile_id=profile_id
    )


async def record_consents(
    conn: AsyncConnection,
    *,
    customer_id: int,
    decisions: Sequence[tuple[str, bool]],
    source: str,
    at: dt.datetime,
    profile_id: int | None = None,
) -> None:
    """Append several decisions taken at one time and recompute the current ones."""
    if not decisions:
        return
    await conn.execute(
        insert(_history),
        [
            {
                "customer_id": customer_id,
                "profile_id": profile_id,
                "purpose": purpose,
                "granted": granted,
                "source": source,
                "recorded_at": at,
            }
            for purpose, granted in decisions
        ],
    )
    await rebuild_current_consents(conn, customer_id, purposes=tuple(p for p, _ in decisions))


async def new_decisions(
    conn: AsyncConnection,
    *,
    profile_id: int,
    decisions: Sequence[tuple[str, bool]],
    at: dt.datetime,
    explicit_time: bool,
) -> list[tuple[str, bool]]:
    """The decisions that say something new: a profile repeating its own latest decision for a
    purpose (the same input ingested again) records nothing; see `repeats`."""
    if not decisions:
        return []
    mine = {
        r.purpose: (r.granted, r.recorded_at)
        for r in await conn.execute(
            select(_history.c.purpose, _history.c.granted, _history.c.recorded_at)
            .where(_history.c.profile_id == profile_id)
            .order_by(_history.c.recorded_at, _history.c.id)
        )
    }
    return [
        (purpose, granted)
        for purpose, granted in dict(decisions).items()  # one per purpose: the last one given wins
        if not repeats(mine.get(purpose), granted, at, explicit_time)
    ]


def repeats(previous: tuple[bool, dt.datetime] | None, granted: bool, at: dt.datetime, explicit_time: bool) -> bool:
    """Pure rule: the profile's latest decision already says the same, and this one is not a
    later, explicitly timed re-statement (which is a new decision and may win again)."""
    return previous is not None and previous[0] == granted and (not explicit_time or previous[1] >= at)


async def rebuild_current_consents(
    conn: AsyncConnection, customer_id: int, purposes: tuple[str, ...] = PURPOSES
) -> None:
    """Current decision per purpose = the history row with the latest `recorded_at` (then id)."""
    latest = (
        select(
            _history.c.purpose,
            _history.c.granted,
            _history.c.source,
            _history.c.recorded_at,
            func.row_number()
            .over(partition_by=_history.c.purpose, order_by=(_history.c.recorded_at.desc(), _history.c.id.desc()))
            .label("rn"),
        )
        .where(_history.c.customer_id == customer_id, _history.c.purpose.in_(purposes))
        .subquery()
    )
    rows = (await conn.execute(select(latest).where(latest.c.rn == 1))).all()
    await conn.execute(delete(_current).where(_current.c.customer_id == customer_id, _current.c.purpose.in_(purposes)))
    if rows:
        await conn.execute(
            insert(_current),
            [
                {
                    "customer_id": customer_id,
                    "purpose": r.purpose,
                    "granted": r.granted,
                    "source": r.source,
                    "updated_at": r.recorded_at,
                }
                for r in rows
            ],
        )


async def set_consent(
    conn: AsyncConnection, *, customer_id: int, purpose: str, granted: bool, source: str, at: dt.datetime
) -> int:
    """A staff decision for one purpose (`setConsent`); a merged-away id records on its survivor.

    Returns the customer id the decision was recorded on. An erased customer can only withdraw.
    """
    source = limits.text(source, ["source"], max_length=limits.width(_history.c.source), required=True)
    if purpose not in PURPOSES:
        raise InvalidInput("unknown purpose", field=["purpose"])
    survivor = (
        await conn.execute(select(_redirects.c.customer_id).where(_redirects.c.from_id == customer_id))
    ).scalar_one_or_none() or customer_id
    row = (await conn.execute(select(_customers.c.erased_at).where(_customers.c.id == survivor))).first()
    if row is None:
        raise NotFound("no such customer", field=["customerId"])
    if granted and row.erased_at is not None:
        raise Conflict("this customer was erased on request; consents cannot be granted", field=["granted"])
    await record_consent(conn, customer_id=survivor, purpose=purpose, granted=granted, source=source, at=at)
    return survivor
