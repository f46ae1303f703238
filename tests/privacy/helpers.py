"""A customer with known personal values, ingested through the domain code, for privacy tests."""

from __future__ import annotations

import datetime as dt

from domain.customers.ingest import AddressData, ProfileData, ingest_profile
from domain.privacy.consents import record_consent

# What is ingested, as stored (normalized), with the exact masked form the contract gives.
KNOWN = {
    "name": ("李雷", "李**"),
    "email": ("lilei@example.com", "l***@example.com"),
    "phone": ("+8613800138000", "+86 138****8000"),
    "card": ("VIP001234", "****1234"),
    "external": ("00042", "****0042"),
    "channel_key": ("STORE:00042", "****0042"),
    "birth": ("1990-05-17", None),
    "line1": ("朝阳区建国路88号3单元1201", None),
    "postal": ("100022", None),
}


async def ingest_known(engine, *, consents: tuple[tuple[str, bool], ...] = (), external_id: str = "00042") -> int:
    """The KNOWN person as a STORE profile; `consents` are recorded in order, a second apart."""
    seen = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    data = ProfileData(
        channel="STORE",
        external_id=external_id,
        display_name="李雷",
        email=" LiLei@Example.com ",
        phone="138 0013 8000",
        member_card="vip-001234",
        birth_date=dt.date(1990, 5, 17),
        address=AddressData(
            country="CN", city="Beijing", district="Chaoyang", line1=KNOWN["line1"][0], postal_code="100022"
        ),
        seen_at=seen,
    )
    async with engine.begin() as conn:
        customer_id = (await ingest_profile(conn, data)).customer_id
    for n, (purpose, granted) in enumerate(consents, start=1):
        async with engine.begin() as conn:
            await record_consent(
                conn,
                customer_id=customer_id,
                purpose=purpose,
                granted=granted,
                source="test",
                trusted=True,
                at=seen + dt.timedelta(seconds=n),
            )
    return customer_id


async def ingest_person(engine, n: int, *, consents: tuple[tuple[str, bool], ...] = (), channel: str = "WEB") -> int:
    """Another person, with values of its own (`user{n}@example.org`, `+86 139 …`)."""
    data = ProfileData(
        channel=channel,
        external_id=f"p-{n}",
        display_name=f"Person {n}",
        email=f"user{n}@example.org",
        phone=f"+86 139{n:08d}",
        consents=consents,
    )
    async with engine.begin() as conn:
        return (await ingest_profile(conn, data)).customer_id
