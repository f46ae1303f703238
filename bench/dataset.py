"""A retail-scale data set generated inside PostgreSQL: 1M customers, 10M orders and the rest.

The database is migrated by the real Alembic migrations (`api.migrate.upgrade`), then filled
with `INSERT .. SELECT` over `generate_series`, so no row crosses the wire. Every random choice is
`hashint8extended(key, seed)` of a row key, and so is every id: the same seed gives the same rows,
whatever the plan or the parallelism. The load is a graph of steps (bench/schedule.py) run on one
connection per core: each table's fills, its `VACUUM ANALYZE`, then the steps that read it and its
index builds. Every secondary index, unique constraint and primary key that no foreign key needs
is dropped before the fill and built again after it from its own definition (the constraints are
attached to their rebuilt indexes at the end), so the schema stays the migrations' one;
foreign-key triggers are skipped (the generated keys are consistent).

What is generated (the defaults, `--customers 1000000 --orders 10000000`):

- customers seen on 1-4 channels (35/35/20/10 %): one channel profile per channel, with an
  EXTERNAL_ID identifier each, EMAIL and PHONE on the first profile, PHONE or EMAIL on others,
  a MEMBER_CARD on STORE profiles; personal fields are the survivorship result of the profiles;
- orders following CDNOW (/work/shared/data/cdnow, real purchases of 23,570 customers): each
  customer's number of orders, the gaps between them and the order values are drawn from the
  CDNOW distributions (1000 quantiles each). The number of repeat orders is scaled so the mean
  reaches orders/customers (CDNOW: 2.96 in 18 months, 1.96 of them repeats), and the gaps are
  divided by the same factor, so a customer is active over CDNOW-like spans, that many times
  denser. Order values are a CDNOW customer mean times a CDNOW within-customer ratio (spend is
  heterogeneous between customers, as Gamma-Gamma assumes), in CNY at 7 per dollar. Each order
  has one line per CD up to 3 (CDs at about $14), quantities making up the CD count; 3 % RETURNED;
  a history that would overrun the two-year window is compressed into it;
- the customer row's order statistics, the loyalty account (tier by 12-month spend, the
  migration's thresholds) and one earn entry per order of the last 365 days (unexpired points);
- 500k tickets (OPEN/PENDING when opened in the last two weeks, else RESOLVED or CLOSED; due
  times from the default SLA policy; breached_at when a due time was missed), 1M feedback answers
  (NPS 40 %, CSAT 40 %, REVIEW 20 % about one of the customer's orders), the four consents of 3 in
  4 customers with their history, and scores for every customer: RFM quintiles and segments by the
  contract's grid, a simple (not fitted) probability alive and CLV, lifecycle stage and value
  tier by the contract's rules. The real score refresh is measured elsewhere (bench/scoring.py).

    ./dev bench dataset [--customers 1000000] [--orders 10000000] [--seed 1] [--database NAME] [--reuse]
                        [--connections N]

PostgreSQL: C360_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, make_url
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from api.migrate import upgrade
from bench import schedule
from bench.schedule import Step
from domain.base import table_of
from domain.db import make_engine
from domain.insights.models import PurchaseDay, PurchasePairCount
from domain.insights.pair_counts import pair_counts_of_days
from domain.insights.purchase_days import COLUMNS as PURCHASE_DAY_COLUMNS
from domain.insights.purchase_days import purchase_days
from domain.scoring.rfm import fm_score, segment

END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
"""The data spans the two years before this instant (insights and scores are as of it)."""
DAYS = 730
START = END - dt.timedelta(days=DAYS)
DEFAULT_DATABASE = "c360_bench_dataset"
CDNOW = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cdnow" / "CDNOW_master.txt"
QUANTILES = 1000
GENERATOR_VERSION = 4  # 2: insights rollups filled too; 3: every id a function of its row's key; 4: consents.trusted
"""Bump when a change to this file changes the rows it makes (a kept load is then made again)."""
CNY_PER_USD = 7
CD_PRICE_USD = 14

# Channels in order of popularity: a customer's first profile is drawn with these weights,
# further profiles take the next channels of the list (wrapping), so they are all different.
CHANNELS = ("STORE", "APP", "WEB", "MINI_PROGRAM", "MARKETPLACE", "SOCIAL", "CALL_CENTER")
CHANNEL_WEIGHTS = (30, 25, 20, 10, 8, 4, 3)
PURPOSES = (("MARKETING", 0.6), ("ANALYTICS", 0.8), ("PERSONALIZATION", 0.5), ("THIRD_PARTY_SHARING", 0.2))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
CITIES = (("上海", "浦东新区"), ("北京", "朝阳区"), ("广州", "天河区"), ("深圳", "南山区"), ("杭州", "西湖区"),
          ("成都", "武侯区"), ("南京", "鼓楼区"), ("武汉", "洪山区"))  # fmt: skip

TICKET_CATEGORIES = ("SERVICE",) * 5 + ("PRODUCT",) * 3 + ("SUGGESTION", "COMPLAINT")
TICKET_PRIORITIES = ("NORMAL",) * 6 + ("LOW", "LOW", "HIGH", "URGENT")
TICKET_SUBJECTS = ("退货咨询", "物流查询", "会员积分", "商品质量", "发票问题")
REVIEWS = ("很好", "物流快", "一般", "质量不错", "包装破损")

# The tables a load fills, in load order; every one carries customer_id (customers: its id).
TABLES = ("customers", "channel_profiles", "identifiers", "orders", "order_lines", "loyalty_accounts",
          "points_ledger", "tickets", "feedback", "consents", "consent_history", "customer_scores",
          "customer_purchase_days", "purchase_pair_counts")  # fmt: skip


def _rollup_sql() -> tuple[str, str]:
    """The insights rollups filled from the generated orders by the domain's own whole-table
    selects (what migration 0005 backfills and refresh_order_stats keeps)."""
    pair_counts = table_of(PurchasePairCount)
    statements = (
        insert(table_of(PurchaseDay)).from_select(list(PURCHASE_DAY_COLUMNS), purchase_days()),
        insert(pair_counts).from_select(
            ["scope", "pair", "first", "second", "days", "single_order_days"], pair_counts_of_days()
        ),
    )
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    rendered = [str(st.compile(dialect=dialect, compile_kwargs={"literal_binds": True})) for st in statements]
    return rendered[0], rendered[1]


ROLLUPS = _rollup_sql()


def postgres_url(database: str, base: str | None = None) -> str:
    base = base or os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    return make_url(base).set(drivername="postgresql+asyncpg", database=database).render_as_string(False)


# ---------------------------------------------------------------- CDNOW distributions


def _quantiles(values: list[float], n: int = QUANTILES) -> list[float]:
    ordered = sorted(values)
    return [ordered[min(len(ordered) - 1, (i * len(ordered)) // n)] for i in range(n)] + [ordered[-1]]


def cdnow_distributions(source: Path = CDNOW) -> dict[str, list[float]]:
    """1001 quantiles each of: orders per customer, days between orders, a customer's mean order
    value (dollars) and an order's value over its customer's mean."""
    by_customer: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
    with source.open() as lines:
        next(lines)
        for raw in lines:
            parts = raw.split()
            if parts:
                day = dt.date(int(parts[1][:4]), int(parts[1][4:6]), int(parts[1][6:]))
                by_customer[parts[0]].append((day, max(1.0, float(parts[3]))))
    counts, gaps, means, ratios = [], [], [], []
    for purchases in by_customer.values():
        purchases.sort()
        counts.append(float(len(purchases)))
        gaps += [float((b[0] - a[0]).days) for a, b in itertools.pairwise(purchases)]
        mean = sum(v for _, v in purchases) / len(purchases)
        means.append(mean)
        ratios += [v / mean for _, v in purchases]
    return {"counts": _quantiles(counts), "gaps": _quantiles(gaps), "means": _quantiles(means),
            "ratios": _quantiles(ratios)}  # fmt: skip


def _repeat_scale(counts: list[float], mean: float) -> float:
    """The factor s with mean(1 + round((c - 1) * s)) = mean over the drawn CDNOW counts c."""
    low, high = 0.0, 1000.0
    for _ in range(60):
        s = (low + high) / 2
        if sum(1 + round((c - 1) * s) for c in counts) / len(counts) < mean:
            low = s
        else:
            high = s
    return (low + high) / 2


# ---------------------------------------------------------------- SQL


class _Sql:
    """The statements of one load; `u(key, salt)` is a reproducible uniform draw in [0, 1)."""

    def __init__(self, customers: int, orders: int, seed: int) -> None:
        self.customers, self.orders, self.seed = customers, orders, seed
        dist = cdnow_distributions()
        self.repeat_scale = _repeat_scale(dist["counts"][:QUANTILES], orders / customers)
        self.arrays = {k: "'{" + ",".join(f"{v:.6g}" for v in vs) + "}'::float8[]" for k, vs in dist.items()}

    def u(self, key: str, salt: int) -> str:
        return f"((hashint8extended(({key})::bigint, {self.seed * 1000 + salt}) & 2147483647)::float8 / 2147483648.0)"

    def draw(self, name: str, key: str, salt: int) -> str:
        """A value drawn from a CDNOW distribution (a quantile chosen uniformly)."""
        return f"({self.arrays[name]})[1 + floor({self.u(key, salt)} * {QUANTILES})::int]"

    def ts(self, instant: dt.datetime) -> str:
        return f"TIMESTAMPTZ '{instant.isoformat()}'"

    def pick(self, options: tuple[str, ...] | str, key: str, salt: int) -> str:
        items = list(options)
        array = "ARRAY[" + ",".join(f"'{o}'" for o in items) + "]"
        return f"({array})[1 + floor({self.u(key, salt)} * {len(items)})::int]"

    def money(self, customer: str, order: str) -> str:
        """Lateral columns `m.cds` and `m.unit` of an order: its value in dollars is its customer's
        mean times this order's ratio, a CD costs about $14, and the total is cds x unit (CNY cents)."""
        dollars = f"greatest(1.0, {self.draw('means', customer, 11)} * {self.draw('ratios', order, 12)})"
        # OFFSET 0 keeps PostgreSQL from inlining the subqueries: the draws run once per order.
        return (
            f"CROSS JOIN LATERAL (SELECT greatest(1, round(d / {CD_PRICE_USD})::int) AS cds, d "
            f"FROM (SELECT {dollars} AS d OFFSET 0) d0 OFFSET 0) m0 "
            f"CROSS JOIN LATERAL (SELECT m0.cds, greatest(1, floor(m0.d * {CNY_PER_USD * 100} / m0.cds))::bigint "
            f"AS unit OFFSET 0) m"
        )

    # --- plan: per customer, the number of orders, the first order id, profiles

    def plan(self) -> list[str]:
        weights = [sum(CHANNEL_WEIGHTS[: i + 1]) / sum(CHANNEL_WEIGHTS) for i in range(len(CHANNEL_WEIGHTS))]
        first_channel = (
            "CASE "
            + " ".join(f"WHEN {self.u('g', 2)} < {w:.6f} THEN {i}" for i, w in enumerate(weights[:-1]))
            + f" ELSE {len(weights) - 1} END"
        )
        profiles = f"CASE WHEN {self.u('g', 3)} < 0.35 THEN 1 WHEN {self.u('g', 3)} < 0.70 THEN 2 " \
                   f"WHEN {self.u('g', 3)} < 0.90 THEN 3 ELSE 4 END"  # fmt: skip
        n = f"1 + round(({self.draw('counts', 'g', 1)} - 1) * {self.repeat_scale:.6f})::int"
        return [
            "DROP TABLE IF EXISTS bench_plan",
            f"""CREATE UNLOGGED TABLE bench_plan WITH (autovacuum_enabled = false) AS
                SELECT g AS customer_id, n, sum(n) OVER (ORDER BY g) - n AS orders_before,
                       first_channel, profiles
                FROM (SELECT g, {n} AS n, {first_channel} AS first_channel, {profiles} AS profiles
                      FROM generate_series(1, {self.customers}) g) s""",
            "ALTER TABLE bench_plan ADD PRIMARY KEY (customer_id)",
        ]

    def channel_of(self, first: str, j: str) -> str:
        array = "ARRAY[" + ",".join(f"'{c}'" for c in CHANNELS) + "]"
        return f"({array})[1 + ({first} + {j} - 1) % {len(CHANNELS)}]"

    # --- orders and lines

    def orders_sql(self, first: int, last: int) -> str:
        """The orders of customers first..last."""
        scale = max(self.repeat_scale, 1)
        gap = f"CASE WHEN k = 1 THEN 0 ELSE {self.draw('gaps', 'p.orders_before + k', 4)} / {scale:.6f} END"
        window = f"{DAYS - 1}"
        # offset: days since the customer's first order; span: of the whole history
        placed = (f"{self.ts(START)} + (((({window} - least(span, {window})) * {self.u('customer_id', 5)})"
                  f" + offset_days * least(1.0, {window} / greatest(span, 1))) * INTERVAL '1 day')"
                  f" + ({self.u('id', 6)} * INTERVAL '1 day')")  # fmt: skip
        profile_j = f"1 + floor({self.u('id', 7)} * profiles)::int"
        channel = self.channel_of("first_channel", profile_j)
        shop = f"lpad((1 + floor({self.u('customer_id', 8)} * 500))::text, 3, '0')"
        store = f"CASE WHEN {channel} = 'STORE' THEN 'S' || {shop} END"
        return f"""
            INSERT INTO orders (id, customer_id, profile_id, channel, external_id, store_code, placed_at,
                                total_cents, currency, status)
            SELECT id, customer_id, 4 * (customer_id - 1) + {profile_j}, {channel}, 'O' || id, {store},
                   least({placed}, {self.ts(END)} - INTERVAL '1 second'), m.unit * m.cds, 'CNY',
                   CASE WHEN {self.u("id", 9)} < 0.03 THEN 'RETURNED' ELSE 'PLACED' END
            FROM (SELECT p.customer_id, p.orders_before + k AS id, p.first_channel, p.profiles,
                         sum(gap) OVER (PARTITION BY p.customer_id ORDER BY k) AS offset_days,
                         sum(gap) OVER (PARTITION BY p.customer_id) AS span
                  FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.n) k
                  CROSS JOIN LATERAL (SELECT {gap} AS gap) g
                  WHERE p.customer_id BETWEEN {first} AND {last}) s {self.money("customer_id", "id")}"""

    def lines_sql(self, first: int, last: int) -> str:
        """The lines of the orders of customers first..last, from the plan (the order ids and
        values are the same draws as `orders_sql`'s), so they need not wait for the orders.
        A line's id is 3 x (order id - 1) + its number: at most 3 lines per order."""
        return f"""
            INSERT INTO order_lines (id, order_id, customer_id, sku, name, quantity, unit_price_cents)
            SELECT 3 * (o.id - 1) + j, o.id, o.customer_id,
                   'CD-' || lpad((1 + floor({self.u("o.id * 4 + j", 10)} * 20000))::text, 5, '0'),
                   'CD ' || j, CASE WHEN j = 1 THEN m.cds - least(m.cds, 3) + 1 ELSE 1 END, m.unit
            FROM (SELECT p.customer_id, p.orders_before + k AS id
                  FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.n) k
                  WHERE p.customer_id BETWEEN {first} AND {last}) o {self.money("o.customer_id", "o.id")}
            CROSS JOIN LATERAL generate_series(1, least(m.cds, 3)) j"""

    # --- customers, profiles, identifiers (after orders: their statistics come from them)

    def aggregates_sql(self) -> list[str]:
        year_ago = self.ts(END - dt.timedelta(days=365))
        return [
            "DROP TABLE IF EXISTS bench_agg",
            f"""CREATE UNLOGGED TABLE bench_agg WITH (autovacuum_enabled = false) AS
                SELECT customer_id, count(*)::int AS order_count, sum(total_cents)::bigint AS total_cents,
                       min(placed_at) AS first_order_at, max(placed_at) AS last_order_at,
                       coalesce(sum(total_cents) FILTER (WHERE status <> 'RETURNED' AND placed_at > {year_ago}), 0)
                         AS spend_12m
                FROM orders GROUP BY customer_id""",
            "ALTER TABLE bench_agg ADD PRIMARY KEY (customer_id)",
        ]

    def customers_sql(self) -> str:
        def char(chars: str, salt: int) -> str:
            return f"substr('{chars}', 1 + floor({self.u('a.customer_id', salt)} * {len(chars)})::int, 1)"

        two = self.u("a.customer_id", 22)
        name = f"{char(SURNAMES, 20)} || {char(GIVEN, 21)} || CASE WHEN {two} < 0.6 THEN {char(GIVEN, 23)} ELSE '' END"
        city = f"1 + floor({self.u('a.customer_id', 24)} * {len(CITIES)})::int"
        cities = "ARRAY[" + ",".join(f"'{c}'" for c, _ in CITIES) + "]"
        districts = "ARRAY[" + ",".join(f"'{d}'" for _, d in CITIES) + "]"
        signup = f"a.first_order_at - {self.u('a.customer_id', 25)} * INTERVAL '30 days'"
        created = f"greatest({self.ts(START - dt.timedelta(days=30))}, {signup})"
        return f"""
            INSERT INTO customers (id, created_at, updated_at, display_name, email, phone, birth_date, country, city,
                                   district, line1, postal_code, order_count, total_spent_cents, first_order_at,
                                   last_order_at)
            SELECT a.customer_id, {created}, a.last_order_at, {name}, 'u' || a.customer_id || '@example.com',
                   '+86' || (13800000000 + a.customer_id),
                   DATE '1960-01-01' + floor({self.u("a.customer_id", 26)} * 16000)::int, 'CN',
                   ({cities})[{city}], ({districts})[{city}],
                   (1 + floor({self.u("a.customer_id", 27)} * 999))::int || '号',
                   lpad((100000 + floor({self.u("a.customer_id", 28)} * 800000))::text, 6, '0'),
                   a.order_count, a.total_cents, a.first_order_at, a.last_order_at
            FROM bench_agg a"""

    def profiles_sql(self) -> str:
        channel = self.channel_of("p.first_channel", "j")
        seen = f"c.created_at + (j - 1) * {self.u('c.id * 4 + j', 30)} * (c.updated_at - c.created_at)"
        return f"""
            INSERT INTO channel_profiles (id, customer_id, channel, external_id, display_name, email, phone,
                                          member_card, birth_date, country, city, district, line1, postal_code,
                                          first_seen_at, last_seen_at)
            SELECT 4 * (c.id - 1) + j, c.id, {channel}, 'P' || (4 * (c.id - 1) + j), c.display_name,
                   CASE WHEN j = 1 OR {self.u("c.id * 4 + j", 31)} < 0.5 THEN c.email END,
                   CASE WHEN j = 1 OR {self.u("c.id * 4 + j", 31)} >= 0.5 THEN c.phone END,
                   CASE WHEN {channel} = 'STORE' THEN 'VIP' || lpad(c.id::text, 8, '0') END,
                   CASE WHEN j = 1 THEN c.birth_date END, c.country, c.city, c.district, c.line1, c.postal_code,
                   {seen}, greatest({seen}, c.updated_at)
            FROM customers c JOIN bench_plan p ON p.customer_id = c.id
            CROSS JOIN LATERAL generate_series(1, p.profiles) j"""

    def identifiers_sql(self) -> str:
        return """
            INSERT INTO identifiers (id, customer_id, profile_id, kind, value, verified)
            SELECT 4 * (id - 1) + i, customer_id, id, kind, value, verified FROM channel_profiles,
            LATERAL (VALUES (1, 'EXTERNAL_ID', channel || ':' || external_id, true),
                            (2, 'EMAIL', email, id % 4 = 1), (3, 'PHONE', phone, id % 3 = 0),
                            (4, 'MEMBER_CARD', member_card, true)) v(i, kind, value, verified)
            WHERE value IS NOT NULL"""

    # --- loyalty

    def loyalty_sql(self) -> list[str]:
        tier = ("CASE WHEN a.spend_12m >= 2000000 THEN 'PLATINUM' WHEN a.spend_12m >= 800000 THEN 'GOLD' "
                "WHEN a.spend_12m >= 200000 THEN 'SILVER' ELSE 'MEMBER' END")  # fmt: skip
        year_ago = self.ts(END - dt.timedelta(days=365))
        return [
            f"""INSERT INTO loyalty_accounts (customer_id, tier_code, tier_since, evaluated_at)
                SELECT a.customer_id, {tier}, greatest(a.first_order_at, {year_ago}), {self.ts(END)}
                FROM bench_agg a""",
            f"""INSERT INTO points_ledger (id, customer_id, at, delta, reason, expires_at, remaining, order_id)
                SELECT o.id, o.customer_id, o.placed_at, pts, 'order', o.placed_at + INTERVAL '365 days', pts, o.id
                FROM orders o JOIN loyalty_accounts l ON l.customer_id = o.customer_id
                JOIN tiers t ON t.code = l.tier_code
                CROSS JOIN LATERAL (SELECT floor(o.total_cents * t.points_multiplier / 100)::bigint AS pts) x
                WHERE o.placed_at > {year_ago} AND o.status <> 'RETURNED'""",
        ]

    # --- service, feedback, consents, scores

    def tickets_sql(self, count: int) -> str:
        cust = f"1 + floor({self.u('g', 40)} * {self.customers})::bigint"
        minutes = {"URGENT": (15, 120), "HIGH": (15, 1440), "NORMAL": (120, 2880), "LOW": (1440, 4320)}
        first_due = "CASE priority " + " ".join(f"WHEN '{p}' THEN {f}" for p, (f, _) in minutes.items()) + " END"
        res_due = ("CASE WHEN category = 'COMPLAINT' THEN 4320 ELSE CASE priority "
                   + " ".join(f"WHEN '{p}' THEN {r}" for p, (_, r) in minutes.items()) + " END END")  # fmt: skip
        return f"""
            INSERT INTO tickets (id, customer_id, category, requested_priority, priority, status, channel, subject,
                                 opened_at, first_response_at, resolved_at, closed_at, first_response_due_at,
                                 resolution_due_at, breached_at)
            SELECT g, customer_id, category, priority, priority, status, channel, subject, opened_at,
                   CASE WHEN status <> 'OPEN' THEN opened_at + response_min * INTERVAL '1 minute' END,
                   CASE WHEN status IN ('RESOLVED', 'CLOSED') THEN opened_at + resolve_min * INTERVAL '1 minute' END,
                   CASE WHEN status = 'CLOSED' THEN opened_at + (resolve_min + 1440) * INTERVAL '1 minute' END,
                   first_due, resolution_due,
                   CASE WHEN response_min > first_min AND status <> 'OPEN' THEN first_due
                        WHEN status = 'OPEN' AND first_due < {self.ts(END)} THEN first_due
                        WHEN status IN ('RESOLVED', 'CLOSED') AND resolve_min > resolution_min THEN resolution_due
                        WHEN status IN ('OPEN', 'PENDING') AND resolution_due < {self.ts(END)} THEN resolution_due END
            FROM (SELECT *, opened_at + first_min * INTERVAL '1 minute' AS first_due,
                         opened_at + resolution_min * INTERVAL '1 minute' AS resolution_due
                  FROM (SELECT *, {first_due} AS first_min, {res_due} AS resolution_min
                        FROM (SELECT g, c.id AS customer_id,
                                     {self.pick(TICKET_CATEGORIES, "g", 41)} AS category,
                                     {self.pick(TICKET_PRIORITIES, "g", 42)} AS priority,
                                     {self.pick(CHANNELS, "g", 43)} AS channel,
                                     {self.pick(TICKET_SUBJECTS, "g", 44)} AS subject,
                                     o AS opened_at,
                                     CASE WHEN o > {self.ts(END - dt.timedelta(days=14))}
                                          THEN {self.pick(("OPEN", "OPEN", "PENDING"), "g", 45)}
                                          ELSE {self.pick(("RESOLVED", "RESOLVED", "CLOSED"), "g", 46)} END AS status,
                                     floor(5 + {self.u("g", 47)} * 240)::int AS response_min,
                                     floor(60 + {self.u("g", 48)} * 4000)::int AS resolve_min
                              FROM generate_series(1, {count}) g JOIN customers c ON c.id = {cust}
                              CROSS JOIN LATERAL (SELECT least({self.ts(END)} - INTERVAL '1 minute',
                                  c.created_at + {self.u("g", 49)} * ({self.ts(END)} - c.created_at)) AS o) t
                        ) a) b) d"""

    def feedback_sql(self, count: int) -> str:
        cust = f"1 + floor({self.u('g', 50)} * {self.customers})::bigint"
        kind = (
            f"CASE WHEN {self.u('g', 51)} < 0.4 THEN 'NPS' WHEN {self.u('g', 51)} < 0.8 THEN 'CSAT' ELSE 'REVIEW' END"
        )
        # NPS skews to promoters, CSAT to 7-10, reviews to 4-5 (a retail pattern, not CDNOW's)
        score = (f"CASE kind WHEN 'NPS' THEN least(10, floor(11 * sqrt({self.u('g', 52)}))::int) "
                 f"WHEN 'CSAT' THEN least(10, 1 + floor(10 * sqrt({self.u('g', 52)}))::int) "
                 f"ELSE least(5, 1 + floor(5 * sqrt({self.u('g', 52)}))::int) END")  # fmt: skip
        return f"""
            INSERT INTO feedback (id, customer_id, kind, score, comment, channel, submitted_at, order_id)
            SELECT g, customer_id, kind, {score},
                   CASE WHEN kind = 'REVIEW' THEN {self.pick(REVIEWS, "g", 53)} END,
                   channel, submitted_at,
                   CASE WHEN kind = 'REVIEW' THEN orders_before + 1 + floor({self.u("g", 54)} * n)::bigint END
            FROM (SELECT g, c.id AS customer_id, {kind} AS kind, {self.pick(CHANNELS, "g", 55)} AS channel,
                         least({self.ts(END)} - INTERVAL '1 minute',
                               c.created_at + {self.u("g", 56)} * ({self.ts(END)} - c.created_at)) AS submitted_at,
                         p.orders_before, p.n
                  FROM generate_series(1, {count}) g JOIN customers c ON c.id = {cust}
                  JOIN bench_plan p ON p.customer_id = c.id) s"""

    def consents_sql(self) -> list[str]:
        purposes = "(VALUES " + ", ".join(f"({i}, '{p}', {share})" for i, (p, share) in enumerate(PURPOSES)) + ")"
        at = f"c.created_at + {self.u('c.id', 60)} * INTERVAL '1 day'"
        order = "ARRAY[" + ",".join(f"'{p}'" for p, _ in PURPOSES) + "]"
        return [
            f"""INSERT INTO consents (customer_id, purpose, granted, source, updated_at, trusted)
                SELECT c.id, v.purpose, {self.u("c.id * 4 + v.i", 61)} < v.share, 'signup', {at}, true
                FROM customers c CROSS JOIN {purposes} v(i, purpose, share)
                WHERE {self.u("c.id", 62)} < 0.75""",
            f"""INSERT INTO consent_history (id, customer_id, profile_id, purpose, granted, source, recorded_at,
                                             trusted)
                SELECT 4 * (customer_id - 1) + array_position({order}, purpose::text), customer_id,
                       4 * (customer_id - 1) + 1, purpose, granted, source, updated_at, trusted FROM consents""",
        ]

    def scores_sql(self) -> str:
        grid = (
            "CASE "
            + " ".join(f"WHEN r = {r} AND fm = {fm} THEN '{segment(r, fm)}'" for r in range(1, 6) for fm in range(1, 6))
            + " END"
        )
        assert fm_score(5, 5) == 5  # the grid's combined score is (f + m + 1) / 2, as below
        end = self.ts(END)
        mean_gap_days = (
            "extract(epoch FROM a.last_order_at - a.first_order_at) / 86400.0 / greatest(a.order_count - 1, 1)"
        )
        return f"""
            INSERT INTO customer_scores (customer_id, as_of, computed_at, recency_days, frequency, monetary_cents,
                                         r, f, m, rfm_segment, historic_cents, predicted_12m_cents,
                                         expected_purchases_12m, probability_alive, churn_risk, lifecycle_stage,
                                         value_tier)
            SELECT customer_id, {end}, {end}, recency, order_count, total_cents, r, f, m, {grid}, total_cents,
                   predicted, expected, alive, 1 - alive,
                   CASE WHEN alive < 0.2 THEN 'CHURNED' WHEN alive < 0.5 THEN 'DECLINING'
                        WHEN age < 90 THEN 'NEW' WHEN order_count >= 4 THEN 'MATURE' ELSE 'GROWING' END,
                   CASE WHEN 5 * at_least <= total THEN 'HIGH' WHEN 2 * at_least <= total THEN 'MEDIUM' ELSE 'LOW' END
            FROM (SELECT *, (f + m + 1) / 2 AS fm,
                         count(*) OVER (ORDER BY predicted DESC RANGE UNBOUNDED PRECEDING) AS at_least,
                         count(*) OVER () AS total
                  FROM (SELECT *, ceil(5 * cume_dist() OVER (ORDER BY recency DESC))::int AS r,
                               ceil(5 * cume_dist() OVER (ORDER BY order_count))::int AS f,
                               ceil(5 * cume_dist() OVER (ORDER BY total_cents))::int AS m,
                               round(expected * total_cents / order_count)::bigint AS predicted
                        FROM (SELECT *, alive * least(52.0, 365.0 * order_count / greatest(age, 30)) AS expected
                              FROM (SELECT a.customer_id, a.order_count, a.total_cents,
                                           extract(day FROM {end} - a.last_order_at)::int AS recency,
                                           extract(day FROM {end} - a.first_order_at)::int AS age,
                                           exp(-extract(epoch FROM {end} - a.last_order_at) / 86400.0
                                               / greatest(90.0, 6.0 * {mean_gap_days})) AS alive
                                    FROM bench_agg a) x) y) z) w"""


# ---------------------------------------------------------------- load


WORK_MEM = "512MB"
"""Per sort or hash of a loading step (two at a time, one per connection)."""
SESSION = (
    "SET session_replication_role = replica",  # skip the foreign-key triggers (the keys are consistent)
    f"SET work_mem = '{WORK_MEM}'",
    "SET maintenance_work_mem = '1GB'",
    "SET max_parallel_maintenance_workers = 0",
)
"""Each loading connection's settings."""


@dataclass(frozen=True)
class Rebuilt:
    """The indexes a load drops and builds again after the fill: every secondary index and
    unique constraint of the loaded tables, and their primary keys that no foreign key needs."""

    drops: list[str]
    builds: list[tuple[str, str, str]]  # (table, index, CREATE INDEX statement)
    constraints: list[str]  # ALTER TABLE .. ADD CONSTRAINT .. USING INDEX, once the index is built


async def _rebuilt_indexes(conn: AsyncConnection) -> Rebuilt:
    """A constraint's index is built by CREATE INDEX, like the others (a SHARE lock: the table
    stays readable meanwhile), and becomes the constraint again at the end, instantly."""
    rows: Sequence[Any] = (
        await conn.exec_driver_sql(
            """SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid), c.conname, c.contype::text
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
               LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype IN ('p', 'u')
                                         AND c.conrelid = x.indrelid
               WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace
                 AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = x.indexrelid)
               ORDER BY t.relname, i.relname""",
            (list(TABLES),),
        )
    ).all()
    rebuilt = Rebuilt([], [], [])
    for table, index, indexdef, constraint, kind in rows:
        rebuilt.builds.append((table, index, indexdef))
        if constraint:
            rebuilt.drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            rebuilt.constraints.append(
                f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {what} USING INDEX "{index}"'
            )
        else:
            rebuilt.drops.append(f'DROP INDEX "{index}"')
    return rebuilt


CHUNKS = 4
"""Orders and their lines are made in this many ranges of customers: steps of some seconds
leave no connection idle at the end."""
COSTS = {"plan": 1, "orders": 42, "order lines": 32, "aggregates": 3, "customers": 4, "channel profiles": 9,
         "identifiers": 6, "loyalty accounts": 1, "points ledger": 6, "tickets": 4, "feedback": 4, "consents": 3,
         "consent history": 2, "scores": 13, "purchase days": 44, "purchase pair counts": 33}  # fmt: skip
"""CPU seconds of each fill at full size (orders and lines: all chunks) in a load on this machine;
they only order the queue (the longest chain first): a wrong one costs packing, not rows."""
INDEX_COSTS = {"orders": 6, "order_lines": 5, "customer_purchase_days": 5, "identifiers": 5,
               "purchase_pair_counts": 5, "points_ledger": 2, "channel_profiles": 2, "consent_history": 2,
               "consents": 2}  # fmt: skip
"""Seconds of one index build per table at full size (1 when not listed)."""
SERIAL = ("customers", "channel_profiles", "identifiers", "orders", "order_lines", "points_ledger", "tickets",
          "feedback", "consent_history")  # fmt: skip
"""The loaded tables with an id sequence (moved past the generated ids at the end)."""


def _vacuumed(table: str) -> str:
    """The step after which `table` is read: its fills are done, VACUUM ANALYZE has set its
    hint bits, visibility map and statistics."""
    return f"VACUUM ANALYZE {table}"


def _steps(sql: _Sql, rebuilt: Rebuilt) -> list[Step]:
    """The load as a graph: each table's fills, then its VACUUM ANALYZE, after which the steps
    that read it and its index builds may run (no two steps take conflicting locks), and at the
    end the constraints over the rebuilt indexes and the sequences."""
    n = sql.customers
    ranges = [(1 + n * i // CHUNKS, n * (i + 1) // CHUNKS) for i in range(CHUNKS)]
    fills: dict[str, list[Step]] = defaultdict(list)

    def fill(
        table: str, name: str, statement: str, after: Sequence[str] = (), cost: float | None = None, work_mem: str = ""
    ) -> None:
        statements: tuple[str, ...] = (statement,)
        if work_mem:
            statements = (f"SET work_mem = '{work_mem}'", statement, f"SET work_mem = '{WORK_MEM}'")
        fills[table].append(Step(name, statements, ("plan", *after), COSTS[name] if cost is None else cost))

    for i, (first, last) in enumerate(ranges):
        part = f"{i + 1}/{CHUNKS}"
        fill("orders", f"orders {part}", sql.orders_sql(first, last), cost=COSTS["orders"] / CHUNKS)
        fill("order_lines", f"order lines {part}", sql.lines_sql(first, last), cost=COSTS["order lines"] / CHUNKS)
    aggregates = Step("aggregates", (*sql.aggregates_sql(), "ANALYZE bench_agg"), (_vacuumed("orders"),), 8)
    fill("customers", "customers", sql.customers_sql(), ["aggregates"])
    fill("channel_profiles", "channel profiles", sql.profiles_sql(), [_vacuumed("customers")])
    fill("identifiers", "identifiers", sql.identifiers_sql(), [_vacuumed("channel_profiles")])
    accounts, ledger = sql.loyalty_sql()
    fill("loyalty_accounts", "loyalty accounts", accounts, ["aggregates"])
    fill("points_ledger", "points ledger", ledger, [_vacuumed("orders"), _vacuumed("loyalty_accounts")])
    fill("tickets", "tickets", sql.tickets_sql(n // 2), [_vacuumed("customers")])
    fill("feedback", "feedback", sql.feedback_sql(n), [_vacuumed("customers")])
    consents, history = sql.consents_sql()
    fill("consents", "consents", consents, [_vacuumed("customers")])
    fill("consent_history", "consent history", history, [_vacuumed("consents")])
    fill("customer_scores", "scores", sql.scores_sql(), ["aggregates"])
    # The purchase days group and sort 2 x 10M rows: in memory with 2 GB (512 MB spills to disk)
    fill("customer_purchase_days", "purchase days", ROLLUPS[0], [_vacuumed("orders")], work_mem="2GB")
    fill("purchase_pair_counts", "purchase pair counts", ROLLUPS[1], [_vacuumed("customer_purchase_days")])

    plan = Step("plan", (*sql.plan(), "ANALYZE bench_plan"), cost=COSTS["plan"])
    steps = [plan, aggregates]
    for table in TABLES:
        steps += fills[table]
        steps.append(Step(_vacuumed(table), (_vacuumed(table),), tuple(s.name for s in fills[table]), 1))
    steps += [Step(f"index {index}", (statement,), (_vacuumed(table),), INDEX_COSTS.get(table, 1))
              for table, index, statement in rebuilt.builds]  # fmt: skip
    sequences = [f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), greatest(1, (SELECT max(id) FROM {t})))"
                 for t in SERIAL]  # fmt: skip
    autovacuum = [f"ALTER TABLE {t} RESET (autovacuum_enabled)" for t in TABLES]
    finish = (*rebuilt.constraints, *sequences, *autovacuum, "DROP TABLE bench_plan, bench_agg")
    return [*steps, Step("constraints, sequences, autovacuum", finish, tuple(s.name for s in steps), 0)]


def fingerprint(customers: int, orders: int, seed: int) -> str:
    """Names the data a load makes: its sizes, seed and the generator's version."""
    return json.dumps({"customers": customers, "orders": orders, "seed": seed, "generator": GENERATOR_VERSION})


async def loaded_fingerprint(url: str) -> str | None:
    """The fingerprint a finished load left in the database at `url`, None when there is none."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            exists = (await conn.exec_driver_sql("SELECT to_regclass('bench_dataset')")).scalar()
            if exists is None:
                return None
            return (await conn.exec_driver_sql("SELECT fingerprint FROM bench_dataset")).scalar()
    except (OSError, DBAPIError):
        return None
    finally:
        await engine.dispose()


async def load(
    url: str, *, customers: int = 1_000_000, orders: int = 10_000_000, seed: int = 1, connections: int | None = None
) -> float:
    """Fill the migrated, empty database at `url` on `connections` connections at once (default:
    one per core); returns the seconds it took."""
    began = time.perf_counter()
    sql = _Sql(customers, orders, seed)
    engine = make_engine(url)
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        await upgrade(engine)
        async with admin.connect() as conn:
            await conn.exec_driver_sql("TRUNCATE " + ", ".join(TABLES) + " CASCADE")
            rebuilt = await _rebuilt_indexes(conn)
            for statement in rebuilt.drops:
                await conn.exec_driver_sql(statement)
            for table in TABLES:  # the load vacuums each table itself, autovacuum would do it again meanwhile
                await conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            await conn.exec_driver_sql("DROP TABLE IF EXISTS bench_dataset")
        workers = connections or os.cpu_count() or 2
        print(f"filling: {customers} customers, ~{orders} orders (repeat orders x {sql.repeat_scale:.2f} of CDNOW), "
              f"{workers} connections; start, seconds, step:")  # fmt: skip
        await schedule.run(admin, _steps(sql, rebuilt), connections=workers, setup=SESSION)
        async with admin.connect() as conn:
            await conn.exec_driver_sql("CREATE TABLE bench_dataset (fingerprint text NOT NULL)")
            await conn.exec_driver_sql("INSERT INTO bench_dataset VALUES ($1)", (fingerprint(customers, orders, seed),))
    finally:
        await engine.dispose()
        await admin.dispose()
    return time.perf_counter() - began


async def counts(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return {t: int((await conn.exec_driver_sql(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}
    finally:
        await engine.dispose()


async def ensure(
    admin_url: str,
    database: str,
    *,
    customers: int,
    orders: int,
    seed: int,
    reuse: bool = True,
    connections: int | None = None,
) -> float | None:
    """Make `database` hold this data set: keep it when a finished load of the same fingerprint is
    there (returns None), else (re)create and load it (returns the load seconds)."""
    url = postgres_url(database, admin_url)
    if reuse and await loaded_fingerprint(url) == fingerprint(customers, orders, seed):
        return None
    admin = create_async_engine(postgres_url("postgres", admin_url), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
    finally:
        await admin.dispose()
    return await load(url, customers=customers, orders=orders, seed=seed, connections=connections)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench dataset", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000, help="about this many (drawn per customer)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--reuse", action="store_true", help="keep a finished load of the same parameters")
    parser.add_argument("--connections", type=int, help="loading connections (default: one per core)")
    args = parser.parse_args(argv)
    base = os.environ.get("C360_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    seconds = asyncio.run(
        ensure(base, args.database, customers=args.customers, orders=args.orders, seed=args.seed, reuse=args.reuse,
               connections=args.connections)
    )  # fmt: skip
    print("kept the existing load" if seconds is None else f"loaded in {seconds:.1f} s")
    for table, n in asyncio.run(counts(postgres_url(args.database, base))).items():
        print(f"  {table:18s} {n:>12,d}")


if __name__ == "__main__":
    main()
