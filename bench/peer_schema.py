"""Schema `pgl` of the bench database: what PostGraphile needs to serve the same reads as c360.

PostGraphile serves tables as they are; c360's derived fields are computed columns here, SQL
functions PostGraphile exposes on the type of their first argument (`Customer.pointsBalance`...),
with c360's definitions (domain/loyalty/queries.py, domain/service/queries.py). `insights` is a
function of the four statements of c360's resolver (domain/insights/queries.py, compiled from the
same SQLAlchemy expressions, the period's bounds as arguments) combined like
domain/insights/metrics.py, exposed as `Query.insights(pFrom, pTo)`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.dialects import postgresql

from domain.insights import queries as insights_sql

_DIALECT = postgresql.asyncpg.dialect(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]


def _function_sql(statement: Any, names: dict[object, str]) -> str:
    """The statement with each bound parameter replaced by the SQL named for its value, or a literal."""
    compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    values = [compiled.params[n] for n in compiled.positiontup or []]

    def literal(match: re.Match[str]) -> str:
        value = values[int(match.group(1)) - 1]
        if value in names:
            return names[value]
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        if isinstance(value, bool | int | float):
            return str(value)
        raise ValueError(f"no SQL for a parameter {value!r}")

    return re.sub(r"\$(\d+)", literal, str(compiled))


def insights_function() -> str:
    start, end = dt.datetime(2001, 1, 1, tzinfo=dt.UTC), dt.datetime(2001, 4, 1, tzinfo=dt.UTC)
    now = dt.datetime(2001, 7, 7, 7, 7, 7, tzinfo=dt.UTC)
    period = insights_sql.Period(start=start, end=end)
    names: dict[object, str] = {start: "p_from", end: "p_to", period.previous_start: "(p_from - (p_to - p_from))",
                                now: "now()"}  # fmt: skip
    # The activity statement counts the purchase-day rollup by UTC day (whole-day periods, as (c) is).
    names[start.date()] = "(p_from AT TIME ZONE 'UTC')::date"
    names[(end - dt.timedelta(days=1)).date()] = "((p_to AT TIME ZONE 'UTC')::date - 1)"
    names[period.previous_start.date()] = "((p_from - (p_to - p_from)) AT TIME ZONE 'UTC')::date"
    base, activity, feedback, service = (
        _function_sql(s, names)
        for s in (
            insights_sql.customer_base(period),
            insights_sql.order_activity(period),
            insights_sql.feedback_scores(period),
            insights_sql.ticket_service(period, now),
        )
    )
    return f"""
CREATE FUNCTION pgl.insights(p_from timestamptz, p_to timestamptz) RETURNS pgl.insights_result
LANGUAGE sql STABLE AS $body$
  SELECT b.customers::int, a.active::int,
         coalesce(a.repeat::float8 / nullif(a.active, 0), 0),
         coalesce(a.churned::float8 / nullif(a.previously_active, 0), 0),
         round(round(coalesce(b.average_clv_cents, 0)) / 100.0, 2),
         100.0 * (f.promoters - f.detractors) / nullif(f.nps_responses, 0),
         f.satisfied::float8 / nullif(f.csat_responses, 0), s.met::float8 / nullif(s.settled, 0)
  FROM ({base}) b, ({activity}) a, ({feedback}) f, ({service}) s
$body$"""


def statements() -> list[str]:
    return [
        "DROP SCHEMA IF EXISTS pgl CASCADE",
        "CREATE SCHEMA pgl",
        """CREATE TYPE pgl.insights_result AS (customers int, active_customers int, repurchase_rate float8,
             churn_rate float8, average_clv numeric, nps float8, csat float8, sla_compliance float8)""",
        insights_function(),
        """CREATE OR REPLACE FUNCTION public.customers_points_balance(c public.customers) RETURNS bigint
           LANGUAGE sql STABLE AS
           $$ SELECT coalesce(sum(delta), 0)::bigint FROM points_ledger WHERE customer_id = c.id $$""",
        """CREATE OR REPLACE FUNCTION public.customers_points_expiring_within_30_days(c public.customers) RETURNS bigint
           LANGUAGE sql STABLE AS
           $$ SELECT coalesce(sum(remaining), 0)::bigint FROM points_ledger WHERE customer_id = c.id AND delta > 0
              AND remaining > 0 AND expires_at > now() AND expires_at <= now() + INTERVAL '30 days' $$""",
        """CREATE OR REPLACE FUNCTION public.customers_spend_12m_cents(c public.customers) RETURNS bigint
           LANGUAGE sql STABLE AS
           $$ SELECT coalesce(sum(total_cents), 0)::bigint FROM orders WHERE customer_id = c.id
              AND status <> 'RETURNED' AND placed_at > now() - INTERVAL '365 days' AND placed_at <= now() $$""",
        """CREATE OR REPLACE FUNCTION public.tickets_breached(t public.tickets) RETURNS boolean LANGUAGE sql STABLE AS
           $$ SELECT coalesce((t.first_response_at IS NULL AND t.first_response_due_at < now())
              OR t.first_response_at > t.first_response_due_at
              OR (t.resolved_at IS NULL AND t.resolution_due_at < now())
              OR t.resolved_at > t.resolution_due_at, false) $$""",
    ]


if __name__ == "__main__":
    print(";\n".join(statements()) + ";")
