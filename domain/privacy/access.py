"""Who may see, find and change which customer: the one place for customer access.

Everything here is derived from the masking policy (`domain.privacy.masking`): which customers a
role sees at all (`may_see`, a PARTNER only those sharing with third parties) and which values it
reads in clear (`decide`). This module turns that policy into

- the consent decisions the policy counts (`policy_purposes`, `granted_condition`): a
  THIRD_PARTY_SHARING grant counts only when a trusted writer recorded it (`Writer`);
- SQL conditions for lists, counts and lookups (`visible_conditions`, `clear_condition`), so a
  filter or lookup can only match a customer through a value the caller reads in clear;
- the resolution of a customer id a write is addressed to (`customer_for_write`): the merge
  redirect followed, and NOT_FOUND for a customer the caller cannot see, exactly as for an id
  that does not exist.

See docs/privacy.md "Partners" for why partner-recorded decisions do not count for visibility.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, exists, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.base import table_of
from domain.customers.models import Customer, CustomerRedirect
from domain.errors import NotFound
from domain.privacy.masking import PiiClass, Visibility, rule, visibility_purpose
from domain.privacy.models import CurrentConsent
from domain.privacy.purposes import ConsentPurpose
from domain.privacy.roles import STAFF_ROLES, Role

_customers = table_of(Customer)
_redirects = table_of(CustomerRedirect)
_consents = table_of(CurrentConsent)

# Channels the retailer runs itself; MARKETPLACE profiles come from partners' systems.
FIRST_PARTY_CHANNELS = frozenset({"WEB", "APP", "STORE", "MINI_PROGRAM", "CALL_CENTER", "SOCIAL"})
# Purposes whose grant counts for the policy only when a trusted writer recorded it.
TRUSTED_ONLY = frozenset({ConsentPurpose.THIRD_PARTY_SHARING})


@dataclass(frozen=True)
class Writer:
    """Who a write comes from, as far as trust goes: the caller's role (the CLI, the demo seed
    and jobs write as `OPERATOR`)."""

    role: Role

    @property
    def untrusted(self) -> bool:
        """A partner's data: it may not merge customers it points at or widen what partners see."""
        return self.role not in STAFF_ROLES

    def trusts_consent(self, channel: str | None) -> bool:
        """Whether a consent decision this writer records counts for partner visibility: a staff
        decision (`setConsent`, channel None) or an ADMIN ingest of a first-party channel."""
        if channel is None:
            return self.role in STAFF_ROLES
        return self.role is Role.ADMIN and channel in FIRST_PARTY_CHANNELS


OPERATOR = Writer(Role.ADMIN)


def counts(purpose: str, granted: bool, trusted: bool) -> bool:
    """Pure rule: a current decision grants `purpose` as far as the policy is concerned."""
    return granted and (trusted or purpose not in TRUSTED_ONLY)


def policy_purposes(rows: Iterable[Any]) -> frozenset[str]:
    """The purposes the policy counts as granted, from a customer's current `consents` rows."""
    return frozenset(r.purpose for r in rows if counts(r.purpose, r.granted, r.trusted))


def granted_condition(purpose: str, customer_id: Any = None) -> ColumnElement[bool]:
    """SQL: the customer (`customer_id`, default `customers.id`) grants `purpose` as the policy
    counts it (the same rule as `counts`)."""
    where = [
        _consents.c.customer_id == (_customers.c.id if customer_id is None else customer_id),
        _consents.c.purpose == purpose,
        _consents.c.granted.is_(True),
    ]
    if purpose in TRUSTED_ONLY:
        where.append(_consents.c.trusted.is_(True))
    return exists(select(1).where(*where))


def visible_conditions(role: Role, customer_id: Any = None) -> list[ColumnElement[bool]]:
    """SQL conditions (AND them) for the customers `role` may see at all; none for staff."""
    purpose = visibility_purpose(role)
    return [] if purpose is None else [granted_condition(purpose, customer_id)]


def clear_condition(pii: PiiClass, role: Role, customer_id: Any = None) -> ColumnElement[bool]:
    """SQL: `role` reads the customer's values of class `pii` in clear. A lookup or filter that
    tests such a value ANDs this in, so it can never match through a masked or hidden value."""
    cell = rule(pii, role)
    if cell.if_granted is not Visibility.CLEAR:
        return false()
    needed = [] if cell.otherwise is Visibility.CLEAR or cell.purpose is None else [cell.purpose]
    conditions = [granted_condition(p, customer_id) for p in needed] + visible_conditions(role, customer_id)
    return and_(true(), *conditions)


async def customer_for_write(
    conn: AsyncConnection, customer_id: int, role: Role, *, field: list[str] | None = None, lock: bool = False
) -> Row[Any]:
    """The customer row a write addressed to `customer_id` acts on: itself, or the survivor it
    merged into. NOT_FOUND when there is none or `role` may not see it (the same answer, so a
    write reveals nothing). `lock`: FOR UPDATE on PostgreSQL."""
    survivor = func.coalesce(
        select(_redirects.c.customer_id).where(_redirects.c.from_id == customer_id).scalar_subquery(), customer_id
    )
    query = select(_customers).where(_customers.c.id == survivor, *visible_conditions(role))
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=_customers)
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound("no such customer", field=field)
    return row


async def may_see_customer(conn: AsyncConnection, customer_id: int, role: Role) -> bool:
    """Whether `role` may see the customer `customer_id` (already a survivor id)."""
    if visibility_purpose(role) is None:
        return True
    query = select(_customers.c.id).where(_customers.c.id == customer_id, *visible_conditions(role))
    return (await conn.execute(query)).first() is not None
