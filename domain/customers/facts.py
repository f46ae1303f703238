"""A customer's one-row facts kept by other areas (the loyalty account, the scores), read in one
statement when a request asks for several of them for the same customers.

Each area keeps its own statement (`ACCOUNTS_BY_CUSTOMER_IDS`, `SCORES_BY_CUSTOMER_IDS`); this
module only joins them on the customer: the account statement, plus the customer's scores row
outer-joined, its columns prefixed with `score_` (`score_customer_id` is null without scores).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from domain.customers.queries import customers
from domain.loyalty.queries import ACCOUNTS_BY_CUSTOMER_IDS
from domain.scoring.queries import scores

LOYALTY = "loyalty"
SCORES = "scores"
SCORE_PREFIX = "score_"

ACCOUNTS_WITH_SCORES_BY_CUSTOMER_IDS: Select[Any] = ACCOUNTS_BY_CUSTOMER_IDS.outerjoin(
    scores, scores.c.customer_id == customers.c.id
).add_columns(*(c.label(SCORE_PREFIX + c.name) for c in scores.c))
SCORE_COLUMNS = tuple(c.name for c in scores.c)
