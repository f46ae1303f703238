"""Read-side SQL of the privacy area."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select

from domain.base import table_of
from domain.privacy.models import CurrentConsent

consents = table_of(CurrentConsent)


def granted_purposes(customer_ids: Sequence[int]) -> Select[tuple[int, str]]:
    return select(consents.c.customer_id, consents.c.purpose).where(
        consents.c.customer_id.in_(customer_ids), consents.c.granted.is_(True)
    )
