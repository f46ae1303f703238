"""Deterministic demo data for `c360 seed`: people met on several channels with messy,
overlapping identifiers, written through the same domain code as real ingestion."""

from __future__ import annotations

import datetime as dt
import decimal
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.demo_crm import seed_crm
from domain.customers.bulk import ingest_profiles
from domain.customers.ingest import AddressData, IdentityRules, ProfileData
from domain.db import in_transaction
from domain.orders.bulk import record_orders
from domain.orders.record import LineData, OrderData
from domain.scoring.requests import request_full_refresh

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰", "婷", "强", "军", "丽", "涛"]
LATIN = ["Wei Zhang", "Li Na", "Amy Chen", "David Wang", "Grace Liu", "Kevin Huang", "Lucy Zhao", "Tom Wu"]
CITIES = [
    ("Shanghai", "Jing'an"),
    ("Beijing", "Chaoyang"),
    ("Shenzhen", "Nanshan"),
    ("Hangzhou", "Xihu"),
    ("Chengdu", "Wuhou"),
    ("Guangzhou", "Tianhe"),
]
PRODUCTS = [
    ("SKU-TEE-01", "Cotton tee", "79.00"),
    ("SKU-JEAN-02", "Slim jeans", "299.00"),
    ("SKU-JKT-03", "Down jacket", "899.00"),
    ("SKU-SNK-04", "Running shoes", "569.00"),
    ("SKU-BAG-05", "Tote bag", "159.00"),
    ("SKU-SCF-06", "Silk scarf", "399.00"),
    ("SKU-SOCK-07", "Socks 3-pack", "39.90"),
    ("SKU-CAP-08", "Baseball cap", "129.00"),
]
STORES = ["SH-001", "SH-002", "BJ-001", "SZ-001", "HZ-001", "CD-001"]
CHANNELS = ["WEB", "APP", "STORE", "MINI_PROGRAM", "MARKETPLACE", "CALL_CENTER", "SOCIAL"]
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@dataclass
class Person:
    n: int
    name: str
    email: str
    phone: str  # national digits
    card: str
    birth: dt.date
    city: tuple[str, str]


def _person(rng: random.Random, n: int) -> Person:
    name = (
        rng.choice(LATIN)
        if rng.random() < 0.25
        else rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
    )
    return Person(
        n=n,
        name=name,
        email=f"user{n:05d}@example.com",
        phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        card=f"VIP{n:07d}",
        birth=dt.date(rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28)),
        city=rng.choice(CITIES),
    )


def _messy_phone(rng: random.Random, digits: str) -> str:
    style = rng.randint(0, 3)
    return [
        f"+86 {digits}",
        f"0086-{digits[:3]}-{digits[3:7]}-{digits[7:]}",
        f"{digits[:3]} {digits[3:7]} {digits[7:]}",
        f"(+86){digits}",
    ][style]


def _messy_email(rng: random.Random, email: str) -> str:
    return rng.choice([email, email.upper(), f"  {email} ", email.capitalize()])


def profiles_for(rng: random.Random, p: Person) -> Iterator[ProfileData]:
    channels = rng.sample(CHANNELS, rng.randint(1, 4))
    first_seen = NOW - dt.timedelta(days=rng.randint(30, 730))
    for i, channel in enumerate(channels):
        seen = first_seen + dt.timedelta(days=rng.randint(0, 25) * (i + 1))
        consents = tuple(
            (purpose, rng.random() < share)
            for purpose, share in (
                ("MARKETING", 0.6),
                ("ANALYTICS", 0.8),
                ("PERSONALIZATION", 0.5),
                ("THIRD_PARTY_SHARING", 0.3),
            )
            if rng.random() < 0.7
        )
        yield ProfileData(
            channel=channel,
            external_id=f"{channel[:2]}-{p.n:05d}-{rng.randint(100, 999)}",
            display_name=p.name if rng.random() < 0.9 else None,
            email=_messy_email(rng, p.email) if rng.random() < 0.6 else None,
            phone=_messy_phone(rng, p.phone) if rng.random() < 0.7 or i == 0 else None,
            member_card=p.card if channel == "STORE" else None,
            birth_date=p.birth if rng.random() < 0.4 else None,
            address=AddressData(
                country="CN",
                city=p.city[0],
                district=p.city[1],
                line1=f"{rng.randint(1, 999)} Demo Road",
                postal_code=f"{rng.randint(100000, 899999)}",
            )
            if rng.random() < 0.5
            else None,
            seen_at=seen,
            consents=consents,
        )


def orders_for(rng: random.Random, p: Person, profile: ProfileData) -> Iterator[OrderData]:
    start = profile.seen_at or NOW
    span = max((NOW - start).days, 1)
    for k in range(max(0, int(rng.gammavariate(2.0, 2.5)))):
        items = rng.sample(PRODUCTS, rng.randint(1, 3))
        yield OrderData(
            channel=profile.channel,
            external_id=f"O-{profile.external_id}-{k}",
            customer_external_id=profile.external_id,
            placed_at=start + dt.timedelta(days=rng.randint(0, span), minutes=rng.randint(0, 1439)),
            lines=tuple(
                LineData(sku=s, name=nm, quantity=rng.randint(1, 3), unit_price=decimal.Decimal(pr))
                for s, nm, pr in items
            ),
            store_code=rng.choice(STORES) if profile.channel == "STORE" else None,
            status="RETURNED" if rng.random() < 0.04 else "PLACED",
        )


async def seed(
    engine: AsyncEngine,
    *,
    customers: int = 2000,
    seed: int = 42,
    default_region: str = "CN",
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the people through the batched ingestion path (the one `c360 import` uses)."""
    rng = random.Random(seed)
    rules = IdentityRules(default_region=default_region)
    counts = {"people": 0, "profiles": 0, "orders": 0}
    batch = 200
    for start in range(0, customers, batch):
        profiles: list[ProfileData] = []
        orders: list[OrderData] = []
        for n in range(start, min(start + batch, customers)):
            person = _person(rng, n)
            for profile in profiles_for(rng, person):
                profiles.append(profile)
                orders.extend(orders_for(rng, person, profile))
            counts["people"] += 1
        await in_transaction(engine.begin, partial(_write, profiles=profiles, orders=orders, rules=rules))
        counts["profiles"] += len(profiles)
        counts["orders"] += len(orders)
        if progress:
            progress(min(start + batch, customers))
    counts.update(await seed_crm(engine, seed=seed))
    async with engine.begin() as conn:  # the demo shows scores at once: fit and score everyone now
        await request_full_refresh(conn, requested_by="seed")
    return counts


async def _write(
    conn: AsyncConnection, *, profiles: list[ProfileData], orders: list[OrderData], rules: IdentityRules
) -> None:
    for result in [*await ingest_profiles(conn, profiles, rules), *await record_orders(conn, orders, rules)]:
        if result.error is not None:
            raise result.error  # demo data is well-formed: a rejection is a bug
