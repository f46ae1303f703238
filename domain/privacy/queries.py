"""Read-side SQL of the privacy area."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from domain.base import table_of
from domain.privacy.models import ConsentRecord, CurrentConsent

consents = table_of(CurrentConsent)
history = table_of(ConsentRecord)


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
