"""cProfile of one c360 process serving a side-by-side read under wrk: where its CPU goes.

Starts the bench cluster (bench/cluster.py, the data set bench/run loaded), runs the c360 app in
this process under uvicorn (one process, no REDIS_URL, an ADMIN token as in bench/run), drives
read (a), (b) or (c) with wrk at 16 connections, and profiles only the measured part (a warm-up
of 3 s is not profiled). cProfile is switched on from the server's own event loop, since it
profiles the thread that enables it. It prints the top functions by own time and by cumulative
time. Under the profiler everything is 2-3x slower: read the shares, not the times.

    .venv/bin/python -m bench.profile b [--seconds 15] [--top 40]   (./dev bench profile b)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import secrets
import threading
import time
from typing import Any

ROLE_TOKEN_TTL = 3600


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("read", choices=["a", "b", "c"])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--customers", type=int, default=1_000_000, help="the data set bench/run loaded")
    parser.add_argument("--port", type=int, default=8777)
    args = parser.parse_args(argv)

    from bench import side_by_side
    from bench.cluster import default_cluster

    cluster = default_cluster()
    cluster.start()
    cluster.serving()
    database = side_by_side.database_name(args.customers)
    secret = secrets.token_urlsafe(32)
    os.environ.pop("REDIS_URL", None)
    os.environ |= {
        "DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{cluster.port}/{database}",
        "C360_SECRET": secret,
        "C360_VAR_DIR": str(side_by_side.ROOT / "var" / "bench" / "profile-var"),
        "C360_RATE_LIMIT_PER_SECOND": "1000000000",
        "C360_RATE_LIMIT_BURST": "1000000000",
    }
    try:
        profiler = asyncio.run(_serve_and_profile(args, database, secret, cluster.port))
    finally:
        cluster.stop()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumtime").print_stats(args.top)


async def _serve_and_profile(args: argparse.Namespace, database: str, secret: str, pg_port: int) -> cProfile.Profile:
    import asyncpg  # type: ignore[import-untyped]
    import uvicorn

    from api.app import create_app
    from api.auth import issue_token
    from bench import side_by_side
    from domain.privacy.roles import Role

    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{pg_port}/{database}")
    try:
        pks = [r[0] for r in await conn.fetch("SELECT id FROM customers ORDER BY random() LIMIT 2000")]
    finally:
        await conn.close()
    request = side_by_side.requests_for("c360", pks)[args.read]
    token = issue_token(secret, role=Role.ADMIN, subject="bench", ttl_seconds=ROLE_TOKEN_TTL)
    headers = {"Authorization": f"Bearer {token}"}
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=args.port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    loop = asyncio.get_running_loop()
    profiler = cProfile.Profile()
    result: dict[str, Any] = {}

    def drive() -> None:
        try:
            base = f"http://127.0.0.1:{args.port}"
            while not server.started:
                time.sleep(0.1)
            side_by_side.wrk(base, request, headers, 3, 16)  # warm-up, not profiled
            loop.call_soon_threadsafe(profiler.enable)
            result.update(side_by_side.wrk(base, request, headers, args.seconds, 16))
            loop.call_soon_threadsafe(profiler.disable)
            time.sleep(0.5)
        finally:
            server.should_exit = True

    threading.Thread(target=drive, daemon=True).start()
    await server.serve()
    if result:
        rps = result["requests"] / (result["duration_us"] / 1e6)
        print(f"({args.read}) under the profiler: {rps:.1f} req/s, failed {result['failed']}", flush=True)
    return profiler


if __name__ == "__main__":
    main()
