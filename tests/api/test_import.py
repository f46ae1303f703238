"""`c360 import profiles|orders FILE.jsonl` through the real CLI in a subprocess."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import orjson
from sqlalchemy import func, insert, select

from bench.cdnow import MASTER, convert
from domain.customers.models import ChannelProfile, Customer
from domain.orders.models import Order
from domain.privacy.models import SuppressedProfileKey
from domain.privacy.suppression import key_digest
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[2]


async def c360(database_url: str, tmp_path: Path, *args: str, status: int = 0) -> str:
    """The command's stdout; fails unless it exits with `status` (1: some lines rejected)."""
    env = {**os.environ, "DATABASE_URL": database_url, "C360_SECRET": SECRET, "C360_VAR_DIR": str(tmp_path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == status, err.decode()
    assert "Traceback" not in err.decode()
    return out.decode()


def jsonl(path: Path, rows: list[object]) -> Path:
    path.write_bytes(b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in rows))
    return path


async def count(engine, model) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


async def test_import_profiles_reports_rejected_lines_and_is_idempotent(engine, database_url, tmp_path) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(SuppressedProfileKey).values(key_hash=key_digest("WEB", "erased", SECRET), customer_id=1)
        )
    rows: list[object] = [
        {"channel": "WEB", "externalId": "w1", "email": "Ann@Example.com", "phone": "+86 13800138000"},
        {"channel": "APP", "externalId": "a1", "phone": "0086-138-0013-8000"},  # merges into w1
        b"{not json",
        {"channel": "FAX", "externalId": "f1"},
        {"channel": "STORE", "externalId": "s1", "email": "secret-bad-email", "memberCard": "VIP-9"},
        {"channel": "WEB", "externalId": "erased", "email": "gone@example.com"},
        {"channel": "WEB", "externalId": "w1", "displayName": "Ann"},  # the same key again: an update
        {"channel": "WEB", "externalId": "w2", "email": "ann@example.com", "nickname": "x"},
        {"channel": "MINI_PROGRAM", "externalId": "m1", "email": "ANN@example.com "},  # merges too
    ]
    path = jsonl(tmp_path / "profiles.jsonl", rows)
    rejects = tmp_path / "rejects.jsonl"
    args = ("import", "profiles", str(path), "--batch-size", "4", "--rejects", str(rejects))
    out = await c360(database_url, tmp_path, *args, status=1)
    assert "created 2, updated 1, merged 2, unchanged 0, rejected 4" in out
    lines = path.read_bytes().splitlines(keepends=True)
    assert rejects.read_bytes() == b"".join(lines[n - 1] for n in (3, 4, 6, 8))  # as they were, in order
    assert rejects.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    for line in (3, 4, 6, 8):
        assert f"line {line}: rejected" in out
    assert "line 5: kept without a field" in out and "(input.email)" in out
    assert "unknown field nickname" in out and "CONFLICT" in out
    assert "secret-bad-email" not in out and "gone@example.com" not in out
    assert await count(engine, Customer) == 2 and await count(engine, ChannelProfile) == 4

    again = await c360(database_url, tmp_path, "import", "profiles", str(path), "--batch-size", "4", status=1)
    assert "created 0, updated 0, merged 0, unchanged 5, rejected 4" in again


async def test_import_orders_creates_buyers_and_is_idempotent(engine, database_url, tmp_path) -> None:
    line = {"sku": "CD", "name": "1 CD(s)", "quantity": 1, "unitPrice": "12.00"}
    order = {"channel": "STORE", "customerExternalId": "00042", "placedAt": "2026-01-02T10:00:00Z", "lines": [line]}
    rows: list[object] = [
        {**order, "externalId": "o1"},
        {**order, "externalId": "o2", "customerExternalId": "00043"},
        {**order, "externalId": "o1"},  # a repeat inside the file
        {**order, "externalId": "o3", "lines": []},
        {**order, "externalId": "o4", "lines": [{**line, "unitPrice": "-1"}]},
        {**order, "externalId": "o5", "placedAt": "yesterday"},
        {**order, "externalId": "o6", "lines": [{**line, "quantity": 3, "unitPrice": 1.5}]},
    ]
    path = jsonl(tmp_path / "orders.jsonl", rows)
    out = await c360(database_url, tmp_path, "import", "orders", str(path), "--batch-size", "2", status=1)
    assert "created 3, updated 0, merged 0, unchanged 1, rejected 3" in out
    assert "line 4: rejected" in out and "line 5: rejected" in out and "line 6: rejected" in out
    async with engine.connect() as conn:
        totals = dict((await conn.execute(select(Order.external_id, Order.total_cents))).all())
        spent = (await conn.execute(select(func.sum(Customer.total_spent_cents)))).scalar_one()
    assert totals == {"o1": 1200, "o2": 1200, "o6": 450} and spent == 2850
    again = await c360(database_url, tmp_path, "import", "orders", str(path), status=1)
    assert "created 0, updated 0, merged 0, unchanged 4, rejected 3" in again


async def test_cdnow_slice_loads_every_purchase_exactly_once(engine, database_url, tmp_path) -> None:
    path = tmp_path / "cdnow.jsonl"
    orders, customers = convert(MASTER, path, limit=2000)
    out = await c360(database_url, tmp_path, "import", "orders", str(path))
    assert f"created {orders}," in out and "rejected 0" in out
    expected = sum(round(float(raw.split()[3]) * 100) for raw in MASTER.read_text().splitlines()[1 : orders + 1])
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(Order))).scalar_one() == orders
        assert (await conn.execute(select(func.count(func.distinct(Order.customer_id))))).scalar_one() == customers
        assert (await conn.execute(select(func.sum(Order.total_cents)))).scalar_one() == expected
    again = await c360(database_url, tmp_path, "import", "orders", str(path))
    assert f"unchanged {orders}, rejected 0" in again
    assert await count(engine, Order) == orders


async def test_a_large_batch_takes_the_bulk_path_with_the_same_result(engine, database_url, tmp_path) -> None:
    rows: list[object] = []
    for n in range(150):  # pairs of profiles of one person, and loners: COPY-sized batches
        rows.append({"channel": "WEB", "externalId": f"w{n}", "phone": f"1390000{n:04d}", "displayName": f"P{n}"})
        if n % 2:
            rows.append({"channel": "APP", "externalId": f"a{n}", "phone": f"+86 1390000{n:04d}", "email": f"{n}@x.cn"})
    path = jsonl(tmp_path / "many.jsonl", rows)
    out = await c360(database_url, tmp_path, "import", "profiles", str(path))
    assert "created 150, updated 0, merged 75, unchanged 0, rejected 0" in out
    async with engine.connect() as conn:
        counts = (await conn.execute(select(Customer.order_count, Customer.total_spent_cents).distinct())).all()
        names = (await conn.execute(select(func.count()).where(Customer.display_name.is_not(None)))).scalar_one()
    assert counts == [(0, 0)] and names == 150
    again = await c360(database_url, tmp_path, "import", "profiles", str(path))
    assert "unchanged 225, rejected 0" in again


async def test_a_file_of_accepted_lines_exits_0_and_a_missing_file_is_one_line(database_url, tmp_path) -> None:
    rows: list[object] = [{"channel": "WEB", "externalId": "w1"}, b"", {"channel": "APP", "externalId": "a"}]
    path = jsonl(tmp_path / "ok.jsonl", rows)
    rejects = tmp_path / "none.jsonl"
    out = await c360(database_url, tmp_path, "import", "profiles", str(path), "--rejects", str(rejects))
    assert "profiles: 2 lines" in out and "rejected 0" in out and rejects.read_bytes() == b""
    await c360(database_url, tmp_path, "import", "profiles", str(tmp_path / "missing.jsonl"), status=2)
