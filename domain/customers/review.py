"""Identity review: what automatic matching is unsure of goes to people.

- `weigh_names` runs inside identity resolution: an identifier match between profiles whose names
  clearly differ (`names.clearly_differ`) does not merge, it becomes a `DuplicateCandidate`; an
  identifier seen on profiles of 3 or more clearly different people stops linking altogether
  (`shared_identifiers`, a MERGE_BLOCKED event with rule SHARED_IDENTIFIER on every customer that
  holds it, so staff see which earlier merges it made).
- `find_lookalikes` is the batch job for profiles that share no identifier but look alike
  (same name key and the same birth date or city), scored with field weights.
- `resolve_candidate` is the staff decision: MERGE through the normal merge (reversible with
  `unmergeProfile`), or KEEP_APART, remembered (`kept_apart`): automatic matching never proposes
  or merges that pair again.

Confidence is a match probability from Fellegi-Sunter weights (log2 of m/u per comparison, with
term frequencies for names and cities), see docs/identity.md "Review".
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import pair_in, table_of, utcnow
from domain.customers.models import (
    ChannelProfile,
    Customer,
    DuplicateCandidate,
    Identifier,
    MergeEvent,
    SharedIdentifier,
)
from domain.customers.names import clearly_differ, name_key, people_among, similarity
from domain.errors import Conflict, InvalidInput, NotFound
from domain.privacy.masking import identifier_class, mask

profiles = table_of(ChannelProfile)
identifiers = table_of(Identifier)
customers = table_of(Customer)
candidates = table_of(DuplicateCandidate)
shared = table_of(SharedIdentifier)
merge_events = table_of(MergeEvent)

SHARED_BY = 3  # clearly different people on one identifier: it stops linking
POPULATION_FLOOR = 100_000  # term frequencies are taken over at least this many customers
# Look-alikes below this are not proposed: a common name in one city is no case for review.
LOOKALIKE_MIN_CONFIDENCE = 0.8
SHARED_IDENTIFIER = "SHARED_IDENTIFIER"
OPEN, MERGED, KEPT_APART = "OPEN", "MERGED", "KEPT_APART"

# Fellegi-Sunter weights: log2(m / u), m = P(agree | same person), u = P(agree | different).
_PRIOR = math.log2(1 / 100_000)  # odds that two random profiles are one person
_IDENTIFIER_W = {"MEMBER_CARD": math.log2(0.95 / 1e-7), "PHONE": math.log2(0.9 / 1e-6), "EMAIL": math.log2(0.9 / 1e-7)}
_SHARED_PRIOR = math.log2(1 / 4)  # a value 3+ people use: it says little
_NAMES_DIFFER_W = math.log2(0.03 / 0.97)
_BIRTH_DATE_W = math.log2(0.95 / (1 / 20_000))
_BIRTH_DATE_DIFFER_W = math.log2(0.05 / 0.95)
_NAME_M = 0.9
_CITY_M = 0.85


def confidence(weight: float) -> float:
    """The match probability of a total weight (prior included), in 0..1."""
    return 1 / (1 + 2 ** (-weight))


def _name_weight(frequency: float) -> float:
    """Agreeing names weigh less the more common the name (term-frequency adjustment)."""
    return math.log2(_NAME_M / max(frequency, 1e-7))


async def _propose(
    conn: AsyncConnection,
    pair: tuple[int, int],
    customer_of: dict[int, int],
    *,
    weight: float,
    reasons: list[dict[str, Any]],
    source: str,
    now: dt.datetime,
) -> None:
    """Record the pair for review unless it is known (open, merged or kept apart)."""
    values = _candidate_row(pair, customer_of, weight=weight, reasons=reasons, source=source, now=now)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(dialect.insert(candidates).values(**values).on_conflict_do_nothing())


def _candidate_row(
    pair: tuple[int, int],
    customer_of: dict[int, int],
    *,
    weight: float,
    reasons: list[dict[str, Any]],
    source: str,
    now: dt.datetime,
) -> dict[str, Any]:
    first, second = sorted(pair)
    return {
        "customer_id": customer_of[first],
        "profile_id": first,
        "other_profile_id": second,
        "confidence": round(confidence(weight), 4),
        "reasons": reasons,
        "source": source,
        "status": OPEN,
        "created_at": now,
    }


async def kept_apart(conn: AsyncConnection, customer_ids: Sequence[int]) -> bool:
    """Staff decided KEEP_APART for two profiles now in two of these customers."""
    if len(set(customer_ids)) < 2:
        return False
    first, second = profiles.alias("first"), profiles.alias("second")
    found = await conn.execute(
        select(candidates.c.id)
        .join(first, first.c.id == candidates.c.profile_id)
        .join(second, second.c.id == candidates.c.other_profile_id)
        .where(
            candidates.c.status == KEPT_APART,
            first.c.customer_id.in_(customer_ids),
            second.c.customer_id.in_(customer_ids),
            first.c.customer_id != second.c.customer_id,
        )
        .limit(1)
    )
    return found.first() is not None


async def weigh_names(
    conn: AsyncConnection, profile_id: int, customer_id: int, matches: dict[int, set[str]]
) -> dict[int, set[str]]:
    """The matches identity resolution may merge with, after weighing names (module docstring):
    customers whose profiles holding the shared identifiers all clearly differ in name are left
    out and proposed for review; identifiers of 3+ clearly different people are blocked."""
    me = (
        await conn.execute(select(profiles.c.display_name, profiles.c.birth_date).where(profiles.c.id == profile_id))
    ).one()
    mine = [
        (r.kind, r.value)
        for r in await conn.execute(
            select(identifiers.c.kind, identifiers.c.value).where(
                identifiers.c.profile_id == profile_id, identifiers.c.kind != "EXTERNAL_ID"
            )
        )
    ]
    if not mine:
        return matches
    holders = (
        await conn.execute(
            select(
                identifiers.c.kind,
                identifiers.c.value,
                profiles.c.id,
                profiles.c.customer_id,
                profiles.c.display_name,
                profiles.c.birth_date,
            )
            .join(profiles, profiles.c.id == identifiers.c.profile_id)
            .where(pair_in(identifiers.c.kind, identifiers.c.value, mine), identifiers.c.profile_id != profile_id)
        )
    ).all()
    already = {
        (r.kind, r.value)
        for r in await conn.execute(
            select(shared.c.kind, shared.c.value).where(pair_in(shared.c.kind, shared.c.value, mine))
        )
    }
    by_value: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in holders:
        by_value[(row.kind, row.value)].append(row)
    now = utcnow()
    newly_shared = [
        key
        for key, rows in by_value.items()
        if key not in already and people_among([me.display_name, *(r.display_name for r in rows)]) >= SHARED_BY
    ]
    if newly_shared:
        await _block_shared(conn, newly_shared, by_value, me.display_name, now, mine_at=(profile_id, customer_id))
    blocked = already | set(newly_shared)
    customer_of = {row.id: row.customer_id for row in holders} | {profile_id: customer_id}
    kept: dict[int, set[str]] = {}
    for other, kinds in matches.items():
        linking = [r for key, rows in by_value.items() if key not in blocked for r in rows if r.customer_id == other]
        if not linking:
            continue  # only a value that was just blocked tied it to us: nothing links it now
        if not all(clearly_differ(me.display_name, r.display_name) for r in linking):
            kept[other] = kinds
            continue
        evidence = linking[0]
        reasons = [_shared_reason(evidence.kind, evidence.value), _names_reason(me.display_name, evidence.display_name)]
        weight = _PRIOR + _IDENTIFIER_W.get(evidence.kind, 0.0) + _NAMES_DIFFER_W + _birth_weight(me, evidence)
        await _propose(
            conn, (profile_id, evidence.id), customer_of, weight=weight, reasons=reasons, source="IDENTIFIER", now=now
        )
    # Same-name profiles that a blocked value alone connects: nothing links them now; staff decide.
    for key in blocked:
        for row in by_value.get(key, []):
            if row.customer_id != customer_id and not clearly_differ(me.display_name, row.display_name):
                reasons = [_shared_reason(*key), {"kind": "SHARED_BY", "people": SHARED_BY}]
                if me.display_name and row.display_name:
                    reasons.append(_names_reason(me.display_name, row.display_name))
                weight = _SHARED_PRIOR + _birth_weight(me, row)
                await _propose(
                    conn,
                    (profile_id, row.id),
                    customer_of,
                    weight=weight,
                    reasons=reasons,
                    source="IDENTIFIER",
                    now=now,
                )
    return kept


def _birth_weight(a: Any, b: Any) -> float:
    if a.birth_date is None or b.birth_date is None:
        return 0.0
    return _BIRTH_DATE_W if a.birth_date == b.birth_date else _BIRTH_DATE_DIFFER_W


def _shared_reason(kind: str, value: str) -> dict[str, Any]:
    return {"kind": "SAME_IDENTIFIER", "identifier": kind, "value": value}


def _names_reason(a: str | None, b: str | None) -> dict[str, Any]:
    return {"kind": "NAMES", "names": [a, b], "similarity": round(similarity(a, b) or 0.0, 2)}


async def _block_shared(
    conn: AsyncConnection,
    keys: list[tuple[str, str]],
    by_value: dict[tuple[str, str], list[Any]],
    my_name: str | None,
    now: dt.datetime,
    *,
    mine_at: tuple[int, int],
) -> None:
    """Make the values link nobody and tell every customer holding them, the new profile's
    included (MERGE_BLOCKED)."""
    rows = [
        {
            "kind": kind,
            "value": value,
            "people": people_among([my_name, *(r.display_name for r in by_value[(kind, value)])]),
            "blocked_at": now,
        }
        for kind, value in keys
    ]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(dialect.insert(shared).values(rows).on_conflict_do_nothing())
    events = []
    profile_id, customer_id = mine_at
    for kind, value in keys:
        held = {(r.id, r.customer_id) for r in by_value[(kind, value)]} | {(profile_id, customer_id)}
        for holder in sorted({c for _, c in held}):
            events.append(
                {
                    "customer_id": holder,
                    "at": now,
                    "kind": "MERGE_BLOCKED",
                    "rule": SHARED_IDENTIFIER,
                    "profile_ids": sorted(p for p, c in held if c == holder),
                    "details": {"identifier": kind},
                }
            )
    if events:
        await conn.execute(insert(merge_events), events)


def shown_reasons(reasons: Iterable[dict[str, Any]]) -> list[str]:
    """The reasons as staff read them: identifier values in their masked form, names as given
    (only staff who read names in clear list candidates; the resolver audits them)."""
    out = []
    for reason in reasons:
        match reason.get("kind"):
            case "SAME_IDENTIFIER":
                kind = reason["identifier"]
                out.append(f"same {kind.lower().replace('_', ' ')} {mask(identifier_class(kind), reason['value'])}")
            case "SHARED_BY":
                out.append(f"that identifier is shared by {reason['people']} or more people: it links nobody")
            case "NAMES":
                a, b = reason["names"]
                verb = "similar" if reason["similarity"] >= 0.85 else "differ"
                out.append(f"names {a} / {b} {verb} {reason['similarity']:.2f}")
            case "BIRTH_DATE":
                out.append("same birth date")
            case "CITY":
                out.append(f"same city {reason['city']}")
    return out


async def find_lookalikes(conn: AsyncConnection, *, max_block: int = 50) -> int:
    """Propose customers that share no identifier but look alike: their name keys agree (pinyin
    and nickname variants included) and so does the birth date or the city. One read of every
    customer, blocking in memory, then the pairs are weighed and written in batches; returns how
    many were proposed. A pair proposed before (open or decided) is never proposed again.
    Blocks of more than `max_block` customers (a very common name in one city) are skipped: a
    name that common is no evidence."""
    rows = (
        await conn.execute(
            select(customers.c.id, customers.c.display_name, customers.c.birth_date, customers.c.city).where(
                customers.c.display_name.is_not(None), customers.c.erased_at.is_(None)
            )
        )
    ).all()
    keys = {r.id: name_key(r.display_name) for r in rows}
    name_freq = Counter(k for k in keys.values() if k)
    city_freq = Counter((r.city or "").casefold() for r in rows if r.city)
    total = max(len(rows), POPULATION_FLOOR)  # term frequencies of a small base would say every name is common
    blocks: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for r in rows:
        key = keys[r.id]
        if key is None:
            continue
        if r.birth_date is not None:
            blocks[("birth", key, r.birth_date)].append(r)
        if r.city:
            blocks[("city", key, r.city.casefold())].append(r)
    pairs: dict[tuple[int, int], tuple[Any, Any]] = {}
    for members in blocks.values():
        if 1 < len(members) <= max_block:
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    pairs.setdefault((min(a.id, b.id), max(a.id, b.id)), (a, b))
    if not pairs:
        return 0
    linked = await _sharing_an_identifier(conn, list(pairs))
    representative = await _first_profiles(conn, {c for pair in pairs for c in pair})
    decided = await _decided_pairs(conn)
    now = utcnow()
    proposals: list[dict[str, Any]] = []
    for (first, second), (a, b) in pairs.items():
        low, high = sorted((representative[first], representative[second]))
        pair = (low, high)
        if (first, second) in linked or pair in decided:
            continue
        weight = _PRIOR + _name_weight(name_freq[keys[a.id] or ""] / total)
        reasons: list[dict[str, Any]] = [_names_reason(a.display_name, b.display_name)]
        weight += _birth_weight(a, b)
        if a.birth_date is not None and a.birth_date == b.birth_date:
            reasons.append({"kind": "BIRTH_DATE"})
        if a.city and b.city and a.city.casefold() == b.city.casefold():
            weight += math.log2(_CITY_M / (city_freq[a.city.casefold()] / total))
            reasons.append({"kind": "CITY", "city": a.city})
        if confidence(weight) < LOOKALIKE_MIN_CONFIDENCE:
            continue
        customer_of = {representative[first]: first, representative[second]: second}
        proposals.append(_candidate_row(pair, customer_of, weight=weight, reasons=reasons, source="LOOKALIKE", now=now))
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for start in range(0, len(proposals), 5000):
        await conn.execute(dialect.insert(candidates).on_conflict_do_nothing(), proposals[start : start + 5000])
    return len(proposals)


async def _decided_pairs(conn: AsyncConnection) -> set[tuple[int, int]]:
    """Profile pairs already proposed (open or decided): never proposed again."""
    return {
        (r.profile_id, r.other_profile_id)
        for r in await conn.execute(select(candidates.c.profile_id, candidates.c.other_profile_id))
    }


async def _sharing_an_identifier(conn: AsyncConnection, pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The customer pairs that hold a common identifier (those are identity resolution's)."""
    ids = sorted({c for pair in pairs for c in pair})
    held: dict[tuple[str, str], set[int]] = defaultdict(set)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for r in await conn.execute(
            select(identifiers.c.customer_id, identifiers.c.kind, identifiers.c.value).where(
                identifiers.c.customer_id.in_(chunk), identifiers.c.kind != "EXTERNAL_ID"
            )
        ):
            held[(r.kind, r.value)].add(r.customer_id)
    linked: set[tuple[int, int]] = set()
    wanted = set(pairs)
    for holders in held.values():
        if len(holders) > 1:
            ordered = sorted(holders)
            linked |= {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :] if (a, b) in wanted}
    return linked


async def _first_profiles(conn: AsyncConnection, customer_ids: set[int]) -> dict[int, int]:
    """Each customer's oldest profile: the profile a look-alike candidate is kept by."""
    out: dict[int, int] = {}
    ids = sorted(customer_ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for r in await conn.execute(
            select(profiles.c.customer_id, profiles.c.id)
            .where(profiles.c.customer_id.in_(chunk))
            .order_by(profiles.c.id)
        ):
            out.setdefault(r.customer_id, r.id)
    return out


async def candidate_customers(conn: AsyncConnection, candidate_id: int) -> tuple[Any, int, int]:
    """The candidate row and its two profiles' current customers; NOT_FOUND when unknown."""
    first, second = profiles.alias("first"), profiles.alias("second")
    row = (
        await conn.execute(
            select(candidates, first.c.customer_id.label("a"), second.c.customer_id.label("b"))
            .join(first, first.c.id == candidates.c.profile_id)
            .join(second, second.c.id == candidates.c.other_profile_id)
            .where(candidates.c.id == candidate_id)
        )
    ).first()
    if row is None:
        raise NotFound("no such duplicate candidate", field=["id"])
    return row, int(row.a), int(row.b)


async def decide_candidate(
    conn: AsyncConnection, candidate_id: int, decision: str, *, subject: str, now: dt.datetime | None = None
) -> tuple[int, int]:
    """Record the staff decision on an OPEN candidate; returns its two customers (the caller
    merges them for MERGE). A decided candidate is CONFLICT."""
    if decision not in (MERGED, KEPT_APART):
        raise InvalidInput("decision must be MERGE or KEEP_APART", field=["decision"])
    row, a, b = await candidate_customers(conn, candidate_id)
    if row.status != OPEN:
        raise Conflict(f"this candidate was already decided ({row.status})", field=["id"])
    await conn.execute(
        update(candidates)
        .where(and_(candidates.c.id == candidate_id, candidates.c.status == OPEN))
        .values(status=decision, resolved_at=now or utcnow(), resolved_by=subject)
    )
    return a, b


def candidate_page(min_confidence: float | None, after: tuple[float, int] | None, limit: int) -> Any:
    """One page of OPEN candidates whose profiles are still in two customers, most confident
    first (keyset on confidence, id)."""
    first, second = profiles.alias("first"), profiles.alias("second")
    query = (
        select(candidates, first.c.customer_id.label("a"), second.c.customer_id.label("b"))
        .join(first, first.c.id == candidates.c.profile_id)
        .join(second, second.c.id == candidates.c.other_profile_id)
        .where(candidates.c.status == OPEN, first.c.customer_id != second.c.customer_id)
    )
    if min_confidence is not None:
        query = query.where(candidates.c.confidence >= min_confidence)
    if after is not None:
        confidence_, id_ = after
        query = query.where(
            (candidates.c.confidence < confidence_)
            | and_(candidates.c.confidence == confidence_, candidates.c.id < id_)
        )
    return query.order_by(candidates.c.confidence.desc(), candidates.c.id.desc()).limit(limit)


def candidate_count(min_confidence: float | None) -> Any:
    from sqlalchemy import func

    first, second = profiles.alias("first"), profiles.alias("second")
    query = (
        select(func.count())
        .select_from(candidates)
        .join(first, first.c.id == candidates.c.profile_id)
        .join(second, second.c.id == candidates.c.other_profile_id)
        .where(candidates.c.status == OPEN, first.c.customer_id != second.c.customer_id)
    )
    if min_confidence is not None:
        query = query.where(candidates.c.confidence >= min_confidence)
    return query
