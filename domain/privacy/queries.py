"""Read-side SQL of the privacy area."""

from __future__ import annotations

from sqlalchemy import select

from domain.base import key_in, table_of
from domain.privacy.models import ConsentRecord, CurrentConsent

consents = table_of(CurrentConsent)
history = table_of(ConsentRecord)


CURRENT_CONSENTS_BY_CUSTOMER_IDS = (
    select(consents).where(key_in(consents.c.customer_id, "ids")).order_by(consents.c.customer_id, consents.c.purpose)
)
CONSENT_HISTORY_BY_CUSTOMER_IDS = (
    select(history)
    .where(key_in(history.c.customer_id, "ids"))
    .order_by(history.c.customer_id, history.c.recorded_at, history.c.id)
)
