"""Read-side SQL of the privacy area."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, bindparam, select

from domain.base import table_of
from domain.privacy.models import ConsentRecord, CurrentConsent

consents = table_of(CurrentConsent)
history = table_of(ConsentRecord)


def current_consents(customer_ids: Sequence[int]) -> Select[tuple[object, ...]]:
    return select(consents).where(consents.c.customer_id.in_(customer_ids)).order_by(consents.c.purpose)


def consent_history(customer_ids: Sequence[int]) -> Select[tuple[object, ...]]:
    """Every decision, oldest first."""
    return (
        select(history)
        .where(history.c.customer_id.in_(customer_ids))
        .order_by(history.c.customer_id, history.c.recorded_at, history.c.id)
    )


CURRENT_CONSENTS_BY_CUSTOMER_IDS = (
    select(consents)
    .where(consents.c.customer_id.in_(bindparam("ids", expanding=True)))
    .order_by(consents.c.customer_id, consents.c.purpose)
)
CONSENT_HISTORY_BY_CUSTOMER_IDS = (
    select(history)
    .where(history.c.customer_id.in_(bindparam("ids", expanding=True)))
    .order_by(history.c.customer_id, history.c.recorded_at, history.c.id)
)
