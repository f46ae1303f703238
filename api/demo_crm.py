"""Demo service, feedback and segments for `c360 seed`: open, answered, resolved and breached
tickets, NPS and CSAT answers, and a few saved segments, written through the domain services."""

from __future__ import annotations

import datetime as dt
import decimal
import random

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import table_of, utcnow
from domain.customers.filters import CustomerFilterSpec
from domain.customers.models import Customer
from domain.errors import Conflict
from domain.feedback.submit import FeedbackData, submit_feedback
from domain.orders.models import Order
from domain.privacy.roles import Role
from domain.segments.create import create_segment
from domain.service.tickets import TicketData, open_ticket, resolve_ticket, respond_to_ticket
from jobs.sla_scan import run_sla_scan

SUBJECTS = {
    "SERVICE": ["Where is my parcel?", "Change delivery address", "Invoice request"],
    "PRODUCT": ["Zip broke after a week", "Size chart is wrong", "Colour differs from photo"],
    "SUGGESTION": ["Please add gift wrapping", "Open the Chengdu store earlier"],
    "COMPLAINT": ["Rude staff at the store", "Charged twice", "Refund still missing"],
}
SEGMENTS = {
    "Store shoppers": CustomerFilterSpec(channel="STORE"),
    "Big spenders (2000+)": CustomerFilterSpec(min_total_spent=decimal.Decimal("2000")),
    "Customers with an open ticket": CustomerFilterSpec(has_open_ticket=True),
    "Marketable app users": CustomerFilterSpec(channel="APP", consent_granted="MARKETING"),
}


async def seed_crm(engine: AsyncEngine, *, seed: int = 42, share: float = 0.12) -> dict[str, int]:
    """Tickets and feedback for about `share` of the customers, and the demo segments."""
    rng = random.Random(seed + 7)
    now = utcnow()
    counts = {"tickets": 0, "feedback": 0, "segments": 0}
    orders = table_of(Order)
    async with engine.begin() as conn:
        ids = list((await conn.execute(select(table_of(Customer).c.id).order_by("id"))).scalars())
        chosen = sorted(rng.sample(ids, max(1, int(len(ids) * share)))) if ids else []
        last_orders = {
            row.customer_id: row.id
            for row in await conn.execute(
                select(orders.c.customer_id, orders.c.id).where(orders.c.customer_id.in_(chosen)).order_by(orders.c.id)
            )
        }
        for cid in chosen:
            category = rng.choice(list(SUBJECTS))
            opened = now - dt.timedelta(minutes=rng.randint(5, 60 * 24 * 6))
            ticket = await open_ticket(
                conn,
                TicketData(
                    customer_id=cid,
                    category=category,
                    priority=rng.choice(["LOW", "NORMAL", "NORMAL", "HIGH", "URGENT"]),
                    channel=rng.choice(["CALL_CENTER", "APP", "WEB", "SOCIAL"]),
                    subject=rng.choice(SUBJECTS[category]),
                    opened_at=opened,
                ),
                role=Role.ADMIN,
                now=now,
            )
            counts["tickets"] += 1
            fate = rng.random()
            if fate < 0.65:  # answered, some late; most of those resolved, some late
                response = opened + dt.timedelta(minutes=rng.choice([5, 20, 90, 300, 1500]))
                if response < now:
                    await respond_to_ticket(conn, ticket.id, at=response, now=now)
                    resolution = response + dt.timedelta(hours=rng.choice([1, 6, 30, 80]))
                    if fate < 0.45 and resolution < now:
                        await resolve_ticket(conn, ticket.id, at=resolution, now=now)
                        await submit_feedback(
                            conn,
                            FeedbackData(
                                cid,
                                "CSAT",
                                rng.choice([3, 6, 8, 9, 10, 10]),
                                ticket.channel,
                                ticket_id=ticket.id,
                                submitted_at=resolution,
                            ),
                            role=Role.ADMIN,
                            now=now,
                        )
                        counts["feedback"] += 1
            # everyone asked answers the NPS survey about their last order
            await submit_feedback(
                conn,
                FeedbackData(
                    cid,
                    "NPS",
                    rng.choice([0, 3, 5, 6, 7, 8, 9, 9, 10, 10]),
                    "APP",
                    comment=rng.choice([None, "Fast delivery", "Too expensive", "Love the store staff"]),
                    order_id=last_orders.get(cid),
                    submitted_at=now - dt.timedelta(days=rng.randint(0, 60)),
                ),
                role=Role.ADMIN,
                now=now,
            )
            counts["feedback"] += 1
        for name, spec in SEGMENTS.items():
            try:
                await create_segment(conn, name=name, spec=spec, created_by="demo-seed")
                counts["segments"] += 1
            except Conflict:
                continue
    counts.update({f"sla_{k}": v for k, v in (await run_sla_scan(engine, now)).items()})
    return counts
