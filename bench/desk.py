"""The service desk at scale: `ticketQueue` and a quarter's `agentStats` over GraphQL on
PostgreSQL, 500k tickets and 2M messages, against a `{ viewer { role } }` baseline in the same run.

Makes a throwaway database, migrates it with the real migrations and generates the desk inside
PostgreSQL (generate_series; deterministic): customers, tickets over 2026 with 8 teams of 5
agents, 10 % of them still open (the queue), the rest answered and resolved (some reopened),
4 messages a ticket on average (INBOUND, OUTBOUND, notes), follow-ups for complaints and CSAT
answers. Then serves it with uvicorn and drives each read with `wrk` (bench/customer360.py's
driver; `--driver httpx` without wrk) and reports requests/s, p50 and p99.

    .venv/bin/python -m bench.desk [--tickets 500000] [--messages-per-ticket 4] [--duration 10]
        [--connections 4] [--keep] [--reuse NAME]

(`./dev bench desk ...`.) Goals (issue 18): the queue under 50 ms, a quarter's agentStats under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

from sqlalchemy import make_url

from api.auth import issue_token
from api.migrate import upgrade
from bench.customer360 import BASELINE, ROOT, Result, _admin, _check, _httpx, _wait_until_up, _wrk
from domain.db import make_engine
from domain.privacy.roles import Role
from jobs.sla_scan import run_sla_scan

TEAMS = 8
AGENTS_PER_TEAM = 5
YEAR = "2026-01-01"

# Every statement takes :tickets, :customers, :per_ticket. Times spread over 2026 by ticket id.
GENERATE = [
    """INSERT INTO customers (id, created_at, updated_at, order_count, total_spent_cents)
       SELECT g, TIMESTAMPTZ '2025-01-01', TIMESTAMPTZ '2025-01-01', 0, 0 FROM generate_series(1, :customers) g""",
    """SELECT setval('customers_id_seq', :customers)""",
    """INSERT INTO tickets (id, customer_id, category, requested_priority, priority, status, channel, subject,
                          opened_at, first_response_at, resolved_at, first_response_due_at, resolution_due_at,
                          assignee, team, next_due_at, escalation_level, reopen_count)
       SELECT g, 1 + (g * 7919) % :customers, c.category, c.priority, c.priority, c.status, c.channel, 'subject',
              c.opened, c.responded, c.resolved, c.opened + c.response_due, c.opened + c.resolution_due,
              'agent-' || c.team || '-' || (g % 5), 'team-' || c.team,
              CASE WHEN c.status IN ('OPEN', 'PENDING')
                   THEN c.opened + CASE WHEN c.responded IS NULL THEN c.response_due ELSE c.resolution_due END END,
              0, CASE WHEN g % 23 = 0 THEN 1 ELSE 0 END
       FROM generate_series(1::bigint, :tickets) g
       CROSS JOIN LATERAL (SELECT
           (ARRAY['SERVICE', 'PRODUCT', 'SUGGESTION', 'COMPLAINT'])[1 + g % 4] AS category,
           (ARRAY['LOW', 'NORMAL', 'NORMAL', 'HIGH', 'URGENT'])[1 + (g / 4) % 5] AS priority,
           (ARRAY['EMAIL', 'SMS', 'CHAT', 'CALL_CENTER', 'APP', 'WEB'])[1 + (g / 3) % 6] AS channel,
           (g / 7) % 8 AS team,
           TIMESTAMPTZ '2026-01-01' + (g::float8 / :tickets) * INTERVAL '334 days' AS opened,
           CASE WHEN g % 10 = 0 THEN 'OPEN' WHEN g % 10 = 1 THEN 'PENDING' ELSE 'RESOLVED' END AS status,
           INTERVAL '2 hours' AS response_due, INTERVAL '48 hours' AS resolution_due) AS b
       CROSS JOIN LATERAL (SELECT b.*,
           CASE WHEN b.status = 'OPEN' THEN NULL ELSE b.opened + ((g % 180) + 1) * INTERVAL '1 minute' END AS responded,
           CASE WHEN b.status = 'RESOLVED' THEN b.opened + ((g % 180) + 1) * INTERVAL '1 minute'
                                                + ((g * 13) % 4000) * INTERVAL '1 minute' END AS resolved) AS c""",
    """SELECT setval('tickets_id_seq', :tickets)""",
    """INSERT INTO ticket_messages (ticket_id, customer_id, at, direction, channel, author, recorded_by, body)
       SELECT t.id, t.customer_id, t.opened_at + k * INTERVAL '37 minutes',
              (ARRAY['INBOUND', 'OUTBOUND', 'INTERNAL_NOTE', 'OUTBOUND', 'INBOUND'])[1 + k % 5], t.channel,
              CASE WHEN k % 5 IN (0, 4) THEN 'customer' ELSE t.assignee END, t.assignee,
              'Message ' || k || ' about ticket ' || t.id
       FROM tickets t CROSS JOIN LATERAL generate_series(0, (t.id % (2 * :per_ticket - 1))) k
       ORDER BY t.id, k""",
    """INSERT INTO ticket_follow_ups (ticket_id, customer_id, due_at, assignee, done_at, outcome)
       SELECT id, customer_id, resolved_at + INTERVAL '3 days', assignee,
              CASE WHEN id % 5 <> 0 THEN resolved_at + INTERVAL '3 days' END,
              CASE WHEN id % 5 <> 0 THEN 'SATISFIED' END
       FROM tickets WHERE category = 'COMPLAINT' AND resolved_at IS NOT NULL""",
    """INSERT INTO feedback (customer_id, kind, score, channel, submitted_at, ticket_id)
       SELECT customer_id, 'CSAT', 1 + id % 10, channel, resolved_at, id
       FROM tickets WHERE resolved_at IS NOT NULL AND id % 4 = 0""",
]


async def _prepare(admin_url: str, database_url: str, name: str, tickets: int, per_ticket: int) -> None:
    await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}"')
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    engine = make_engine(database_url)
    params = {"tickets": tickets, "customers": max(1, tickets // 5), "per_ticket": per_ticket}
    try:
        await upgrade(engine)
        started = time.perf_counter()
        async with engine.begin() as conn:
            for statement in GENERATE:
                await conn.exec_driver_sql(_bind(statement, params))
        # The server's first SLA scan escalates the generated backlog (every open ticket is past a due
        # time); done here, then VACUUM ANALYZE, so the run measures the steady state, where
        # autovacuum has set the visibility map.
        escalated = (await run_sla_scan(engine))["escalated"]
        async with engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("VACUUM ANALYZE")
        async with engine.connect() as conn:
            counts = {
                table: (await conn.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("tickets", "ticket_messages", "ticket_follow_ups", "feedback")
            }
        print(f"generated {counts}, {escalated} escalations, in {time.perf_counter() - started:.1f}s")
    finally:
        await engine.dispose()


def _bind(statement: str, params: dict[str, int]) -> str:
    for key, value in params.items():
        statement = statement.replace(f":{key}", str(int(value)))
    return statement


QUEUE = "{ ticketQueue(first: 20) { edges { node { id priority escalationLevel assignee team resolutionDueAt } } } }"
QUEUE_TEAM = """query($id: String) { ticketQueue(team: $id, first: 20) {
  edges { cursor node { id priority escalationLevel assignee team firstResponseDueAt } } } }"""
QUEUE_AGENT = """query($id: String) { ticketQueue(assignee: $id, first: 20) {
  totalCount edges { node { id priority assignee customer { id } } } } }"""
AGENT_STATS = """{ agentStats(from: "2026-07-01T00:00:00Z", to: "2026-10-01T00:00:00Z") {
  assignee ticketsResolved averageFirstResponseMinutes averageResolutionHours slaCompliance csat
  firstContactResolutionRate } }"""


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench desk", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg-url", default=os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--messages-per-ticket", type=int, default=4)
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8361)
    parser.add_argument("--driver", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", metavar="NAME", help="measure an existing database made by --keep")
    args = parser.parse_args(argv)

    admin = make_url(args.pg_url).set(drivername="postgresql+asyncpg")
    name = args.reuse or f"c360_bench_desk_{os.getpid()}"
    admin_url = admin.render_as_string(hide_password=False)
    database_url = admin.set(database=name).render_as_string(hide_password=False)
    if not args.reuse:
        asyncio.run(_prepare(admin_url, database_url, name, args.tickets, args.messages_per_ticket))

    secret = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "C360_SECRET": secret,
        "C360_VAR_DIR": tempfile.mkdtemp(),
        "C360_RATE_LIMIT_PER_SECOND": "1000000000",
        "C360_RATE_LIMIT_BURST": "1000000000",
    }
    env.pop("REDIS_URL", None)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(args.port),
         "--workers", "1", "--log-level", "warning", "--no-access-log"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # the request log (a failed start shows as the server exiting)
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    teams = [f"team-{t}" for t in range(TEAMS)]
    agents = [f"agent-{t}-{a}" for t in range(TEAMS) for a in range(AGENTS_PER_TEAM)]
    try:
        _wait_until_up(base, server)
        token = issue_token(secret, role=Role.SUPPORT_AGENT, subject="bench", ttl_seconds=3600)
        drive = _wrk if args.driver == "wrk" else _httpx
        scenarios = [
            ("baseline { viewer { role } }", BASELINE, teams, args.connections),
            ("ticketQueue(first: 20)", QUEUE, teams, args.connections),
            ("ticketQueue(team:) + cursors", QUEUE_TEAM, teams, args.connections),
            ("ticketQueue(assignee:) + count", QUEUE_AGENT, agents, args.connections),
            ("agentStats(quarter), 1 conn", AGENT_STATS, teams, 1),
        ]
        for _label, query, ids, _connections in scenarios:
            _check(base, token, query, {"id": ids[0]})
        drive("warm-up", base, token, QUEUE_TEAM, teams, 2, args.connections)
        results = [drive(label, base, token, q, ids, args.duration, c) for label, q, ids, c in scenarios]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep and not args.reuse:
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    print(
        f"\n{args.tickets} tickets (~{args.messages_per_ticket} messages each), {args.driver}, "
        f"{args.connections} connections, 1 worker, {args.duration}s per scenario, {os.cpu_count()} CPUs"
    )
    print(f"{'scenario':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7} {'vs baseline':>12}")
    for r in results:
        ratio = r.rps / results[0].rps if results[0].rps else 0.0
        print(f"{r.name:34} {r.rps:9.1f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.failed:7d} {ratio:11.2f}x")
    if any(r.failed for r in results):
        raise SystemExit("some requests failed")


__all__ = ["Result", "main"]

if __name__ == "__main__":
    main(sys.argv[1:])
