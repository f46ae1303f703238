"""Which customers a caller may see at all: a PARTNER sees only those who granted
THIRD_PARTY_SHARING (others are absent from lookups, lists and counts)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, select

from domain.base import table_of
from domain.customers.models import Customer
from domain.privacy.models import CurrentConsent
from domain.privacy.roles import Role

_consents = table_of(CurrentConsent)
_customers = table_of(Customer)


def visible_customer_conditions(role: Role) -> list[ColumnElement[bool]]:
    if role is not Role.PARTNER:
        return []
    return [
        exists(
            select(1).where(
                and_(
                    _consents.c.customer_id == _customers.c.id,
                    _consents.c.purpose == "THIRD_PARTY_SHARING",
                    _consents.c.granted.is_(True),
                )
            )
        )
    ]
