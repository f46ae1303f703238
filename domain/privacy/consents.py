"""Consents: an append-only history and the current decision per purpose (latest decision wins)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain import limits
from domain.base import table_of
from domain.errors import Conflict, InvalidInput
from domain.privacy.access import Writer, customer_for_write
from domain.privacy.models import ConsentRecord, CurrentConsent
from domain.privacy.roles import Role

PURPOSES = ("MARKETING", "ANALYTICS", "PERSONALIZATION", "THIRD_PARTY_SHARING")
_history = table_of(ConsentRecord)
_current = table_of(CurrentConsent)


async def record_consent(
    conn: AsyncConnection,
    *,
    customer_id: int,
    purpose: str,
    granted: bool,
    source: str,
    at: dt.datetime,
    trusted: bool,
    profile_id: int | None = None,
) -> None:
    """Append a decision and recompute the current one for that purpose."""
    await record_consents(
        conn,
        customer_id=customer_id,
        decisions=[(purpose, granted)],
        source=source,
        at=at,
        trusted=trusted,
        profile_id=profile_id,
    )


async def record_consents(
    conn: AsyncConnection,
    *,
    customer_id: int,
    decisions: Sequence[tuple[str, bool]],
    source: str,
    at: dt.datetime,
    trusted: bool,
    profile_id: int | None = None,
) -> None:
    """Append several decisions taken at one time and recompute the current ones. `trusted`:
    recorded by a writer whose THIRD_PARTY_SHARING grant counts (`access.Writer.trusts_consent`)."""
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
                "trusted": trusted,
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
            _history.c.trusted,
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
                    "trusted": r.trusted,
                }
                for r in rows
            ],
        )


async def set_consent(
    conn: AsyncConnection,
    *,
    customer_id: int,
    purpose: str,
    granted: bool,
    source: str,
    at: dt.datetime,
    role: Role,
) -> int:
    """A staff decision for one purpose (`setConsent`); a merged-away id records on its survivor.

    Returns the customer id the decision was recorded on. An erased customer can only withdraw.
    """
    source = limits.text(source, ["source"], max_length=limits.width(_history.c.source), required=True)
    if purpose not in PURPOSES:
        raise InvalidInput("unknown purpose", field=["purpose"])
    row = await customer_for_write(conn, customer_id, role, field=["customerId"])
    if granted and row.erased_at is not None:
        raise Conflict("this customer was erased on request; consents cannot be granted", field=["granted"])
    await record_consent(
        conn,
        customer_id=row.id,
        purpose=purpose,
        granted=granted,
        source=source,
        at=at,
        trusted=Writer(role).trusts_consent(None),
    )
    return int(row.id)
