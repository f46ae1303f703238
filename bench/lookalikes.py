"""The look-alike job (`identity_lookalikes`, domain/customers/review.py) on N customers.

A throwaway PostgreSQL database gets N customers with Chinese names drawn from common family
and given names (so blocks are realistic: many same-name strangers), birth dates over 60 years
and 40 cities, one profile each, and 1 % planted look-alike pairs (the same person written a
second way: pinyin for Chinese, with the same birth date and city). It then times, in the same
run, a baseline (the job's own read, `SELECT id, display_name, birth_date, city FROM
customers`) and the whole job, and reports how many planted pairs it proposed.

    .venv/bin/python -m bench.lookalikes --customers 1000000 --pg postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import time
import uuid

from pypinyin import lazy_pinyin
from sqlalchemy import func, make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from api.migrate import upgrade
from domain.customers.review import candidates, find_lookalikes
from domain.db import make_engine

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国文斌宇浩凯婷雪琳晨欣怡子轩梓涵"
CITIES = [f"City{n:02d}" for n in range(40)]


async def _admin(url: str, sql: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql(sql)
    finally:
        await engine.dispose()


def _people(n: int, seed: int) -> tuple[list[tuple[int, str, str, str]], int]:
    rng = random.Random(seed)
    rows: list[tuple[int, str, str, str]] = []
    planted = 0
    for pk in range(1, n + 1):
        if pk > 1 and rng.random() < 0.01:  # the previous person again, written in pinyin
            _, name, born, city = rows[-1]
            family, given = lazy_pinyin(name[0]), lazy_pinyin(name[1:])  # "Wang Xiuying"
            rows.append((pk, f"{''.join(family).capitalize()} {''.join(given).capitalize()}", born, city))
            planted += 1
            continue
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        born = f"{rng.randint(1950, 2009)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        rows.append((pk, name, born, rng.choice(CITIES)))
    return rows, planted


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.lookalikes")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)
    name = f"c360_lookalikes_{uuid.uuid4().hex[:8]}"
    admin = make_url(args.pg).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    await _admin(admin, f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        await upgrade(engine)
        rows, planted = _people(args.customers, args.seed)
        started = time.perf_counter()
        now = dt.datetime.now(dt.UTC)
        raw = await engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            await driver.copy_records_to_table(
                "customers",
                records=[(pk, n, dt.date.fromisoformat(b), c, now, now, 0, 0) for pk, n, b, c in rows],
                columns=[
                    "id",
                    "display_name",
                    "birth_date",
                    "city",
                    "created_at",
                    "updated_at",
                    "order_count",
                    "total_spent_cents",
                ],
            )
            await driver.execute(
                "INSERT INTO channel_profiles (id, customer_id, channel, external_id, display_name, first_seen_at,"
                " last_seen_at) SELECT id, id, 'WEB', 'w' || id, display_name, now(), now() FROM customers"
            )
            await driver.execute("ANALYZE")
        finally:
            raw.close()
        print(f"filled {len(rows)} customers ({planted} planted pairs) in {time.perf_counter() - started:.1f} s")
        async with engine.connect() as conn:
            started = time.perf_counter()
            await conn.execute(text("SELECT id, display_name, birth_date, city FROM customers"))
            scan = time.perf_counter() - started
        async with engine.begin() as conn:
            started = time.perf_counter()
            proposed = await find_lookalikes(conn)
            job = time.perf_counter() - started
        async with engine.connect() as conn:
            found = (
                await conn.execute(
                    select(func.count()).where(candidates.c.other_profile_id == candidates.c.profile_id + 1)
                )
            ).scalar_one()
        print(f"baseline read: {scan:.1f} s; job: {job:.1f} s ({job / scan:.1f}x the read)")
        print(f"proposed {proposed} pairs; {found} of the {planted} planted pairs among them")
    finally:
        await engine.dispose()
        await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
