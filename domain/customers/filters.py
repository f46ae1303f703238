"""The customer filter: one plain spec shared by `customers(filter:)` and saved segments.

`CustomerFilterSpec` holds every `CustomerFilter` field as plain values (enum names as strings)
and round-trips through JSON with `to_dict`/`from_dict` (keys are the GraphQL field names), so a
segment stores exactly what a caller typed. `filter_conditions` turns it into SQL conditions over
the `customers` table; every field narrows the list and fields combine with AND.

Intervals are half-open like the rest of the API: `lastOrderAfter` is inclusive (>=),
`lastOrderBefore` exclusive (<). A customer without a loyalty account is in the MEMBER tier.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select

from domain import limits
from domain.base import table_of
from domain.customers.models import ChannelProfile, Customer, Identifier
from domain.customers.normalize import InvalidIdentifier, normalize_email, normalize_member_card, normalize_phone
from domain.errors import InvalidInput
from domain.loyalty.models import LoyaltyAccount
from domain.privacy.access import clear_condition
from domain.privacy.masking import PiiClass, identifier_class
from domain.privacy.models import CurrentConsent
from domain.privacy.roles import Role
from domain.scoring.models import CustomerScore
from domain.service.models import Ticket

DEFAULT_TIER = "MEMBER"
OPEN_TICKET_STATUSES = ("OPEN", "PENDING")

customers = table_of(Customer)
_identifiers = table_of(Identifier)
_profiles = table_of(ChannelProfile)
_scores = table_of(CustomerScore)
_accounts = table_of(LoyaltyAccount)
_consents = table_of(CurrentConsent)
_tickets = table_of(Ticket)

# Python attribute -> JSON / GraphQL key, for the fields whose names differ.
_KEYS = {
    "rfm_segment": "rfmSegment",
    "lifecycle_stage": "lifecycleStage",
    "value_tier": "valueTier",
    "tier_code": "tierCode",
    "consent_granted": "consentGranted",
    "min_churn_risk": "minChurnRisk",
    "last_order_before": "lastOrderBefore",
    "last_order_after": "lastOrderAfter",
    "min_total_spent": "minTotalSpent",
    "has_open_ticket": "hasOpenTicket",
}


@dataclass(frozen=True)
class CustomerFilterSpec:
    """Every `CustomerFilter` field; None means "do not narrow on this"."""

    search: str | None = None
    channel: str | None = None
    rfm_segment: str | None = None
    lifecycle_stage: str | None = None
    value_tier: str | None = None
    tier_code: str | None = None
    consent_granted: str | None = None
    min_churn_risk: float | None = None
    last_order_before: dt.datetime | None = None
    last_order_after: dt.datetime | None = None
    min_total_spent: decimal.Decimal | None = None
    has_open_ticket: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: set fields only, datetimes as ISO-8601 UTC, money as a decimal string."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                value = value.astimezone(dt.UTC).isoformat()
            elif isinstance(value, decimal.Decimal):
                value = str(value)
            out[_KEYS.get(f.name, f.name)] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CustomerFilterSpec:
        """The inverse of `to_dict`; an unknown key or a malformed value is INVALID_INPUT."""
        by_key = {_KEYS.get(f.name, f.name): f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(by_key))
        if unknown:
            raise InvalidInput(f"unknown filter fields: {', '.join(unknown)}", field=["filter"])
        values: dict[str, Any] = {}
        try:
            for key, raw in data.items():
                name = by_key[key]
                if raw is None:
                    continue
                if name in ("last_order_before", "last_order_after"):
                    values[name] = limits.parse_moment(str(raw), ["filter", key])
                elif name == "min_total_spent":
                    values[name] = decimal.Decimal(str(raw))
                elif name == "min_churn_risk":
                    values[name] = float(raw)
                elif name == "has_open_ticket":
                    if not isinstance(raw, bool):
                        raise ValueError(key)
                    values[name] = raw
                else:
                    values[name] = str(raw)
        except (ValueError, decimal.InvalidOperation) as exc:
            raise InvalidInput("a filter field has a malformed value", field=["filter"]) from exc
        return cls(**values)

    def check(self, field: list[str]) -> CustomerFilterSpec:
        """The input limits (domain/limits.py) on the fields a caller typed; `field` is where the
        filter sits in the input (`["input", "filter"]` for a segment)."""
        for name in ("search", "tier_code"):
            value = getattr(self, name)
            if value is not None:
                limits.text(value, [*field, _KEYS.get(name, name)])
        for name in ("last_order_before", "last_order_after"):
            value = getattr(self, name)
            if value is not None:
                limits.moment(value, [*field, _KEYS[name]])
        if self.min_total_spent is not None:
            limits.amount(self.min_total_spent, [*field, "minTotalSpent"])
        return self


def _search_keys(term: str, default_region: str) -> list[tuple[str, str]]:
    """The identifier keys a search term could be, each in its normalized form."""
    keys: list[tuple[str, str]] = []
    for kind, normalize in (
        ("EMAIL", normalize_email),
        ("PHONE", lambda raw: normalize_phone(raw, default_region)),
        ("MEMBER_CARD", normalize_member_card),
    ):
        try:
            keys.append((kind, normalize(term)))
        except InvalidIdentifier:
            continue
    return keys


def _search(term: str, default_region: str, role: Role) -> ColumnElement[bool]:
    """The name contains the term, or an identifier equals it; each only for customers whose value
    of that class `role` reads in clear (`clear_condition`: no search unmasks)."""
    name_match = and_(
        func.lower(customers.c.display_name).contains(term.lower(), autoescape=True),
        clear_condition(PiiClass.NAME, role),
    )
    matches = [name_match]
    for kind, value in _search_keys(term, default_region):
        has_it = exists(
            select(1).where(
                _identifiers.c.customer_id == customers.c.id,
                _identifiers.c.kind == kind,
                _identifiers.c.value == value,
            )
        )
        matches.append(and_(has_it, clear_condition(identifier_class(kind), role)))
    return or_(*matches)


def _scores_match(spec: CustomerFilterSpec) -> ColumnElement[bool] | None:
    wanted: list[ColumnElement[bool]] = []
    if spec.rfm_segment is not None:
        wanted.append(_scores.c.rfm_segment == spec.rfm_segment)
    if spec.lifecycle_stage is not None:
        wanted.append(_scores.c.lifecycle_stage == spec.lifecycle_stage)
    if spec.value_tier is not None:
        wanted.append(_scores.c.value_tier == spec.value_tier)
    if spec.min_churn_risk is not None:
        wanted.append(_scores.c.churn_risk >= spec.min_churn_risk)
    if not wanted:
        return None
    return exists(select(1).where(_scores.c.customer_id == customers.c.id, *wanted))


def _tier(code: str) -> ColumnElement[bool]:
    has_account = select(1).where(_accounts.c.customer_id == customers.c.id)
    in_tier = exists(has_account.where(_accounts.c.tier_code == code))
    if code == DEFAULT_TIER:
        return or_(in_tier, not_(exists(has_account)))
    return in_tier


def filter_conditions(
    spec: CustomerFilterSpec, *, role: Role, default_region: str, now: dt.datetime
) -> list[ColumnElement[bool]]:
    """SQL conditions over `customers` (AND them together) selecting the customers `spec` matches
    for a caller of `role`: a field that tests a personal value matches only through values that
    role reads in clear. Visibility (`domain.privacy.access.visible_conditions`) is ANDed by the
    caller.

    `now` is the time relative conditions are evaluated at; no field needs it today, it is taken
    so callers (live lists, segment evaluation, jobs) already pass one clock.
    """
    del now
    conditions: list[ColumnElement[bool]] = []
    term = (spec.search or "").strip()
    if term:
        conditions.append(_search(term, default_region, role))
    if spec.channel is not None:
        conditions.append(
            exists(select(1).where(_profiles.c.customer_id == customers.c.id, _profiles.c.channel == spec.channel))
        )
    scores = _scores_match(spec)
    if scores is not None:
        conditions.append(scores)
    if spec.tier_code is not None:
        conditions.append(_tier(spec.tier_code))
    if spec.consent_granted is not None:
        conditions.append(
            exists(
                select(1).where(
                    _consents.c.customer_id == customers.c.id,
                    _consents.c.purpose == spec.consent_granted,
                    _consents.c.granted.is_(True),
                )
            )
        )
    if spec.last_order_before is not None:
        conditions.append(customers.c.last_order_at < spec.last_order_before)
    if spec.last_order_after is not None:
        conditions.append(customers.c.last_order_at >= spec.last_order_after)
    if spec.min_total_spent is not None:
        if not spec.min_total_spent.is_finite():
            conditions.append(false())
        else:
            cents = int((spec.min_total_spent * 100).to_integral_value(rounding=decimal.ROUND_CEILING))
            conditions.append(customers.c.total_spent_cents >= cents)
    if spec.has_open_ticket is not None:
        open_ticket = exists(
            select(1).where(_tickets.c.customer_id == customers.c.id, _tickets.c.status.in_(OPEN_TICKET_STATUSES))
        )
        conditions.append(open_ticket if spec.has_open_ticket else not_(open_ticket))
    return conditions
