"""Export on request (`requestExport`, run as a job): one JSON document with everything held
about a customer, for the data subject's access request.

The document holds the customer's fields with where each value came from (the channel profile
that supplied it after survivorship: channel, externalId, lastSeenAt), every profile, every
identifier with the profile that carries it, orders with their lines, the loyalty account and
points ledger, tickets, feedback, the consent history and current consents, scores, the merge
history, and the audit trail of who read the customer's data in clear.

Personal values follow the masking policy for the role that asked (ADMIN: all clear;
SUPPORT_AGENT: clear but the birth date, which is null), exactly as they would over GraphQL;
`clear_fields` names those exported in clear, for the audit entry the job writes.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of, utcnow
from domain.customers.models import ChannelProfile, Identifier, MergeEvent
from domain.feedback.models import Feedback
from domain.loyalty.models import LoyaltyAccount, PointsEntry
from domain.orders.models import Order, OrderLine
from domain.privacy.access import policy_purposes
from domain.privacy.audit import entries as audit_entries
from domain.privacy.erasure import resolve_customer
from domain.privacy.masking import PiiClass, Visibility, decide, identifier_class, mask
from domain.privacy.models import ConsentRecord, CurrentConsent
from domain.privacy.roles import Role
from domain.scoring.models import CustomerScore
from domain.service.models import Ticket

FORMAT_VERSION = 1
# The personal columns of customers and profiles, with their class and GraphQL field name.
PERSONAL_COLUMNS = {
    "display_name": (PiiClass.NAME, "displayName"),
    "email": (PiiClass.EMAIL, "email"),
    "phone": (PiiClass.PHONE, "phone"),
    "member_card": (PiiClass.IDENTIFIER, "memberCard"),
    "birth_date": (PiiClass.BIRTHDATE, "birthDate"),
    "line1": (PiiClass.ADDRESS_DETAIL, "line1"),
    "postal_code": (PiiClass.ADDRESS_DETAIL, "postalCode"),
}
SURVIVING = ("display_name", "email", "phone", "birth_date", "country", "city", "district", "line1", "postal_code")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _plain(row: Any, skip: Iterable[str] = ("customer_id",)) -> dict[str, Any]:
    skipped = set(skip)
    return {_camel(k): _json(v) for k, v in row._mapping.items() if k not in skipped}


@dataclass
class _View:
    """Applies the masking policy for the requesting role and notes what went out in clear."""

    role: Role
    granted: frozenset[str]
    clear_fields: set[str] = field(default_factory=set)

    def show(self, pii: PiiClass, value: Any, label: str) -> Any:
        if value is None or value == "":
            return value
        match decide(pii, self.role, self.granted):
            case Visibility.CLEAR:
                self.clear_fields.add(label)
                return _json(value)
            case Visibility.MASKED:
                return mask(pii, str(value))
            case Visibility.HIDDEN:
                return None


async def _rows(conn: AsyncConnection, table: Table, customer_id: int, *order: str) -> list[Any]:
    query = select(table).where(table.c.customer_id == customer_id)
    return list(await conn.execute(query.order_by(*(table.c[name] for name in order))))


async def export_customer(
    conn: AsyncConnection, customer_id: int, *, role: Role, at: dt.datetime | None = None
) -> tuple[dict[str, Any], set[str]]:
    """The export document and the field names it holds in clear (for the audit entry)."""
    customer = await resolve_customer(conn, customer_id)
    cid = int(customer.id)
    current = await _rows(conn, table_of(CurrentConsent), cid, "purpose")
    view = _View(role, policy_purposes(current))
    profiles = await _rows(conn, table_of(ChannelProfile), cid, "first_seen_at", "id")
    by_id = {p.id: p for p in profiles}

    def personal(row: Any, type_name: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in ("display_name", "email", "phone", "member_card", "birth_date", "line1", "postal_code"):
            if column in row._mapping:
                pii, name = PERSONAL_COLUMNS[column]
                out[name] = view.show(pii, row._mapping[column], f"{type_name}.{name}")
        return out

    def origin(name: str) -> dict[str, Any] | None:
        """The profile whose value survived for customer field `name` (newest non-empty)."""
        candidates = [p for p in profiles if p._mapping[name] not in (None, "")]
        if not candidates:
            return None
        p = max(candidates, key=lambda r: (r.last_seen_at, r.id))
        return {
            "channel": p.channel,
            "externalId": view.show(PiiClass.IDENTIFIER, p.external_id, "ChannelProfile.externalId"),
            "lastSeenAt": _json(p.last_seen_at),
        }

    shown = personal(customer, "Customer")
    fields = {
        _camel(name): {"value": shown.get(_camel(name), _json(customer._mapping[name])), "from": origin(name)}
        for name in SURVIVING
    }
    identifiers = []
    for r in await _rows(conn, table_of(Identifier), cid, "kind", "value"):
        source = by_id.get(r.profile_id)
        identifiers.append(
            {
                "kind": r.kind,
                "value": view.show(identifier_class(r.kind), r.value, "Identifier.value"),
                "verified": bool(r.verified),
                "from": {
                    "channel": source.channel,
                    "externalId": view.show(PiiClass.IDENTIFIER, source.external_id, "ChannelProfile.externalId"),
                }
                if source
                else None,
            }
        )
    lines: dict[int, list[dict[str, Any]]] = {}
    for line in await _rows(conn, table_of(OrderLine), cid, "order_id", "id"):
        lines.setdefault(line.order_id, []).append(_plain(line, ("customer_id", "order_id")))
    orders = [
        {**_plain(o), "lines": lines.get(o.id, [])} for o in await _rows(conn, table_of(Order), cid, "placed_at", "id")
    ]
    audit = list(
        await conn.execute(select(audit_entries).where(audit_entries.c.customer_id == cid).order_by(audit_entries.c.id))
    )
    document = {
        "format": FORMAT_VERSION,
        "exportedAt": _json(at or utcnow()),
        "maskedFor": role.value,
        "customer": {
            "id": cid,
            "createdAt": _json(customer.created_at),
            "erasedAt": _json(customer.erased_at),
            "fields": fields,
        },
        "profiles": [
            {
                "id": p.id,
                "channel": p.channel,
                "externalId": view.show(PiiClass.IDENTIFIER, p.external_id, "ChannelProfile.externalId"),
                "firstSeenAt": _json(p.first_seen_at),
                "lastSeenAt": _json(p.last_seen_at),
                "country": p.country,
                "city": p.city,
                "district": p.district,
                **personal(p, "ChannelProfile"),
            }
            for p in profiles
        ],
        "identifiers": identifiers,
        "orders": orders,
        "loyaltyAccount": next((_plain(r) for r in await _rows(conn, table_of(LoyaltyAccount), cid)), None),
        "pointsLedger": [_plain(r) for r in await _rows(conn, table_of(PointsEntry), cid, "at", "id")],
        "tickets": [_plain(r) for r in await _rows(conn, table_of(Ticket), cid, "opened_at", "id")],
        "feedback": [_plain(r) for r in await _rows(conn, table_of(Feedback), cid, "submitted_at", "id")],
        "consents": [_plain(r) for r in current],
        "consentHistory": [_plain(r) for r in await _rows(conn, table_of(ConsentRecord), cid, "recorded_at", "id")],
        "scores": next((_plain(r) for r in await _rows(conn, table_of(CustomerScore), cid)), None),
        "mergeHistory": [_plain(r) for r in await _rows(conn, table_of(MergeEvent), cid, "at", "id")],
        "auditTrail": [_plain(r, ("customer_id", "request_id")) for r in audit],
    }
    return document, view.clear_fields
