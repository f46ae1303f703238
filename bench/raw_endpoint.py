"""The practical limit: the benchmark's reads as hand-written SQL on an asyncpg pool, no GraphQL.

A bare Starlette app (serve it with uvicorn, like c360). Each read is one statement in which
PostgreSQL builds the JSON of c360's response (`{"data": {...}}`, the same fields, ids, money as
decimal strings and times in UTC as c360's queries in bench/queries.py), so Python only passes
bytes through; `insights` runs the very statements of c360's resolver (domain/insights/queries.py,
compiled once) and combines them with domain/insights/metrics.py. No masking, no audit, no auth:
it is what PostgreSQL and one Python process allow, not a service.

    GET /customer/{pk}              (a) the customer 360
    GET /customers/high-value       (b) customers(first: 50, filter: {valueTier: HIGH}), last 5 orders each
    GET /insights?from=ISO&to=ISO   (c) insights for a period

    DATABASE_URL=postgresql://... uvicorn bench.raw_endpoint:app --workers N
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from sqlalchemy.dialects import postgresql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.insights import queries as insights_sql
from domain.insights.metrics import combine

_DIALECT = postgresql.asyncpg.dialect(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]


def _gid(type_name: str, column: str) -> str:
    """c360's global id in SQL: base64url of `Type:pk` without padding."""
    return f"rtrim(translate(encode(convert_to('{type_name}:' || {column}, 'UTF8'), 'base64'), '+/', '-_'), '=')"


def _money(cents: str) -> str:
    return f"to_char(({cents}) / 100.0, 'FM999999999999990.00')"


BREACHED = """coalesce((t.first_response_at IS NULL AND t.first_response_due_at < now())
  OR t.first_response_at > t.first_response_due_at OR (t.resolved_at IS NULL AND t.resolution_due_at < now())
  OR t.resolved_at > t.resolution_due_at, false)"""
"""c360's `Ticket.breached` (domain/service/queries.py `breached_condition`) on a row `t`."""

CUSTOMER_360 = f"""
SELECT json_build_object('data', json_build_object('customer', json_build_object(
  'id', {_gid("Customer", "c.id")}, 'displayName', c.display_name, 'email', c.email, 'phone', c.phone,
  'birthDate', c.birth_date, 'createdAt', c.created_at,
  'address', json_build_object('country', c.country, 'city', c.city, 'district', c.district, 'line1', c.line1,
                               'postalCode', c.postal_code),
  'profiles', (SELECT coalesce(json_agg(json_build_object(
      'id', {_gid("ChannelProfile", "p.id")}, 'channel', p.channel, 'externalId', p.external_id,
      'displayName', p.display_name, 'email', p.email, 'phone', p.phone, 'firstSeenAt', p.first_seen_at,
      'lastSeenAt', p.last_seen_at) ORDER BY p.first_seen_at, p.id), '[]')
    FROM channel_profiles p WHERE p.customer_id = c.id),
  'identifiers', (SELECT coalesce(json_agg(json_build_object('kind', kind, 'value', value, 'verified', verified)
                                  ORDER BY kind, value), '[]')
    FROM (SELECT kind, value, bool_or(verified) AS verified FROM identifiers WHERE customer_id = c.id
          GROUP BY kind, value) i),
  'orderStats', json_build_object('orderCount', c.order_count, 'totalSpent', {_money("c.total_spent_cents")}),
  'orders', json_build_object('edges', (SELECT coalesce(json_agg(json_build_object('node', json_build_object(
      'id', {_gid("Order", "o.id")}, 'channel', o.channel, 'externalId', o.external_id, 'storeCode', o.store_code,
      'placedAt', o.placed_at, 'total', {_money("o.total_cents")}, 'currency', o.currency, 'status', o.status,
      'lines', (SELECT coalesce(json_agg(json_build_object('sku', l.sku, 'name', l.name, 'quantity', l.quantity,
                                                           'unitPrice', {
    _money("l.unit_price_cents")
}) ORDER BY l.id), '[]')
                FROM order_lines l WHERE l.order_id = o.id)))
      ORDER BY o.placed_at DESC, o.id DESC), '[]')
    FROM (SELECT * FROM orders WHERE customer_id = c.id ORDER BY placed_at DESC, id DESC LIMIT 10) o)),
  'loyalty', (SELECT json_build_object('tier', json_build_object('code', t.code, 'name', t.name),
      'pointsBalance', (SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE customer_id = c.id),
      'pointsExpiringWithin30Days', (SELECT coalesce(sum(remaining), 0) FROM points_ledger WHERE customer_id = c.id
          AND delta > 0 AND remaining > 0 AND expires_at > now() AND expires_at <= now() + INTERVAL '30 days'),
      'spend12m', {
    _money('''(SELECT coalesce(sum(total_cents), 0) FROM orders WHERE customer_id = c.id
          AND status <> 'RETURNED' AND placed_at > now() - INTERVAL '365 days' AND placed_at <= now())''')
})
    FROM tiers t WHERE t.code = coalesce((SELECT tier_code FROM loyalty_accounts WHERE customer_id = c.id), 'MEMBER')),
  'tickets', json_build_object('edges', (SELECT coalesce(json_agg(json_build_object('node', json_build_object(
      'id', {_gid("Ticket", "t.id")}, 'category', t.category, 'priority', t.priority, 'status', t.status,
      'channel', t.channel, 'subject', t.subject, 'openedAt', t.opened_at,
      'firstResponseDueAt', t.first_response_due_at,
      'resolutionDueAt', t.resolution_due_at,
      'breached', {BREACHED}))
      ORDER BY t.opened_at DESC, t.id DESC), '[]')
    FROM (SELECT * FROM tickets WHERE customer_id = c.id AND status = 'OPEN'
          ORDER BY opened_at DESC, id DESC LIMIT 10) t)),
  'feedback', json_build_object('edges', (SELECT coalesce(json_agg(json_build_object('node', json_build_object(
      'id', {_gid("Feedback", "f.id")}, 'kind', f.kind, 'score', f.score, 'comment', f.comment, 'channel', f.channel,
      'submittedAt', f.submitted_at)) ORDER BY f.submitted_at DESC, f.id DESC), '[]')
    FROM (SELECT * FROM feedback WHERE customer_id = c.id ORDER BY submitted_at DESC, id DESC LIMIT 5) f)),
  'scores', (SELECT json_build_object(
      'rfm', json_build_object('recencyDays', s.recency_days, 'frequency', s.frequency,
                               'monetary', {_money("s.monetary_cents")}, 'segment', s.rfm_segment),
      'clv', json_build_object('historic', {_money("s.historic_cents")}, 'predicted12m', {
    _money("s.predicted_12m_cents")
}),
      'probabilityAlive', s.probability_alive, 'churnRisk', s.churn_risk, 'lifecycleStage', s.lifecycle_stage,
      'valueTier', s.value_tier)
    FROM customer_scores s WHERE s.customer_id = c.id),
  'consents', (SELECT coalesce(json_agg(json_build_object('purpose', purpose,
      'status', CASE WHEN granted THEN 'GRANTED' ELSE 'WITHDRAWN' END, 'source', source, 'updatedAt', updated_at)
      ORDER BY purpose), '[]') FROM consents WHERE customer_id = c.id)
)))::text
FROM customers c WHERE c.id = $1
"""

HIGH_VALUE = f"""
SELECT json_build_object('data', json_build_object('customers', json_build_object('edges',
  coalesce(json_agg(json_build_object('node', json_build_object(
    'id', {_gid("Customer", "c.id")}, 'displayName', c.display_name, 'email', c.email,
    'orderStats', json_build_object('orderCount', c.order_count, 'totalSpent', {_money("c.total_spent_cents")}),
    'orders', json_build_object('edges', (SELECT coalesce(json_agg(json_build_object('node', json_build_object(
        'id', {_gid("Order", "o.id")}, 'channel', o.channel, 'placedAt', o.placed_at,
        'total', {_money("o.total_cents")},
        'status', o.status)) ORDER BY o.placed_at DESC, o.id DESC), '[]')
      FROM (SELECT * FROM orders WHERE customer_id = c.id ORDER BY placed_at DESC, id DESC LIMIT 5) o))))
    ORDER BY c.id), '[]'))))::text
FROM (SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM customer_scores s WHERE s.customer_id = c.id
      AND s.value_tier = 'HIGH') ORDER BY c.id LIMIT 50) c
"""


def _compiled(statement: Any) -> tuple[str, list[Any]]:
    """SQL text with $n placeholders and the bound values in order."""
    compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    return str(compiled), [compiled.params[n] for n in compiled.positiontup or []]


def insights_statements(period: insights_sql.Period, now: dt.datetime) -> list[tuple[str, list[Any]]]:
    return [_compiled(statement) for statement in insights_sql.insights_statements(period, now)]


async def _no_reset(conn: Any) -> None:
    """Skip asyncpg's reset on release (four statements: unlock, CLOSE ALL, UNLISTEN, RESET ALL):
    these reads leave nothing behind on the connection."""


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    app.state.pool = await asyncpg.create_pool(
        dsn,
        min_size=2,
        max_size=int(os.environ.get("RAW_POOL_SIZE", "10")),
        server_settings={"TimeZone": "UTC"},
        reset=_no_reset,
    )
    try:
        yield
    finally:
        await app.state.pool.close()


def _json(body: str | bytes) -> Response:
    return Response(body, media_type="application/json")


async def customer_360(request: Request) -> Response:
    async with request.app.state.pool.acquire() as conn:
        body = await conn.fetchval(CUSTOMER_360, int(request.path_params["pk"]))
    return _json(body if body is not None else b'{"data":{"customer":null}}')


async def high_value(request: Request) -> Response:
    async with request.app.state.pool.acquire() as conn:
        return _json(await conn.fetchval(HIGH_VALUE))


async def insights(request: Request) -> Response:
    period = insights_sql.Period(
        start=dt.datetime.fromisoformat(request.query_params["from"]),
        end=dt.datetime.fromisoformat(request.query_params["to"]),
    )
    async with request.app.state.pool.acquire() as conn:
        rows = [
            await conn.fetchrow(text, *params) for text, params in insights_statements(period, dt.datetime.now(dt.UTC))
        ]
    m = combine(*(SimpleNamespace(**dict(r)) for r in rows))
    data = {"customers": m.customers, "activeCustomers": m.active_customers, "repurchaseRate": m.repurchase_rate,
            "churnRate": m.churn_rate, "averageClv": str(m.average_clv_cents / 100), "nps": m.nps, "csat": m.csat,
            "slaCompliance": m.sla_compliance}  # fmt: skip
    return _json(orjson.dumps({"data": {"insights": data}}))


async def healthz(request: Request) -> Response:
    return Response("ok")


app = Starlette(
    routes=[
        Route("/customer/{pk:int}", customer_360),
        Route("/customers/high-value", high_value),
        Route("/insights", insights),
        Route("/healthz", healthz),
    ],
    lifespan=lifespan,
)
