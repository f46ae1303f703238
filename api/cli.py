"""The `c360` command line: serve, migrate, seed, worker, refresh-scores, token, apikey, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, TextColumn

from domain.privacy.roles import Role
from domain.settings import ROOT, get_settings

console = Console(stderr=True)


class UsageError(Exception):
    """A misconfiguration or a bad argument: printed as one line, exit status 2."""


ROLES = [r.value for r in Role]


def _engine() -> Any:
    from domain.db import make_engine

    # Commands (migrate, seed, import, refresh-scores) run long statements: the jobs' bounds.
    settings = get_settings()
    return make_engine(settings.database_url, settings.job_timeouts)


def _run(coro_fn: Callable[[Any], Coroutine[Any, Any, Any]]) -> Any:
    async def main() -> Any:
        engine = _engine()
        try:
            return await coro_fn(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())


async def _migrate(engine: Any) -> None:
    from api.migrate import upgrade

    await upgrade(engine)


async def _is_empty(engine: Any) -> bool:
    from sqlalchemy import select

    from domain.customers.models import Customer

    async with engine.connect() as conn:
        return (await conn.execute(select(Customer.id).limit(1))).first() is None


def cmd_migrate(_args: argparse.Namespace) -> None:
    _run(_migrate)
    console.print("database migrated to the latest revision")


def _seed(engine: Any, customers: int, seed: int) -> Coroutine[Any, Any, dict[str, int]]:
    from api.demo_data import seed as run_seed

    async def go() -> dict[str, int]:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("seeding demo data", total=customers)
            return await run_seed(
                engine,
                customers=customers,
                seed=seed,
                default_region=get_settings().default_region,
                progress=lambda done: progress.update(task, completed=done),
            )

    return go()


def cmd_seed(args: argparse.Namespace) -> None:
    async def go(engine: Any) -> None:
        await _migrate(engine)
        if args.if_empty and not await _is_empty(engine):
            console.print("database already has customers; not seeding")
            return
        counts = await _seed(engine, args.customers, args.seed)
        console.print(f"seeded {counts['people']} people: {counts['profiles']} profiles, {counts['orders']} orders")

    _run(go)


def cmd_import(args: argparse.Namespace) -> None:
    """Exit status 0 when every line was accepted, 1 when some were rejected (listed, and
    written as they were to --rejects FILE, to be fixed and imported again)."""
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn, TimeRemainingColumn

    from api.importer import count_rows, import_file
    from domain.customers.ingest import IdentityRules

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    settings = get_settings()
    rules = IdentityRules.load(settings.default_region, settings.blocked_identifiers)
    rejects = _rejects_file(Path(args.rejects)) if args.rejects else None

    async def go(engine: Any) -> Any:
        await _migrate(engine)
        total = count_rows(path)
        columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn(), TextColumn("rows"))
        with Progress(*columns, TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=True) as bar:
            task = bar.add_task(f"importing {args.kind}", total=total)
            return await import_file(
                engine,
                args.kind,
                path,
                rules,
                batch_size=args.batch_size,
                progress=lambda done: bar.update(task, completed=done),
                rejects=(lambda _number, raw: rejects.write(raw if raw.endswith(b"\n") else raw + b"\n"))
                if rejects
                else None,
            )

    started = time.perf_counter()
    try:
        report = _run(go)
    finally:
        if rejects:
            rejects.close()
    elapsed = time.perf_counter() - started
    for problem in report.rejected:
        print(f"line {problem.line}: rejected: {problem.reason}")
    for problem in report.warnings:
        print(f"line {problem.line}: kept without a field: {problem.reason}")
    counts = ", ".join(f"{name} {n}" for name, n in report.counts.items())
    rate = report.lines / elapsed if elapsed else 0.0
    print(f"{args.kind}: {report.lines} lines in {elapsed:.1f}s ({rate:,.0f}/s): {counts}")
    rejected = report.counts["rejected"]
    if rejected:
        where = f", written to {args.rejects}" if args.rejects else " (--rejects FILE keeps them)"
        console.print(f"{rejected} of {report.lines} lines rejected{where}")
        raise SystemExit(1)


def _rejects_file(path: Path) -> Any:
    """The file rejected lines go to, as they were: only its owner may read it (personal data)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return os.fdopen(fd, "wb")


def cmd_token(args: argparse.Namespace) -> None:
    from api.auth import check_ttl, issue_token

    try:
        check_ttl(args.ttl)
    except ValueError as error:
        raise UsageError(f"--ttl: {error}") from None
    token = issue_token(
        get_settings().secret, role=Role(args.role), subject=args.subject or args.role.lower(), ttl_seconds=args.ttl
    )
    print(token)


def cmd_apikey(args: argparse.Namespace) -> None:
    from api.api_keys import create_api_key

    key = _run(lambda engine: create_api_key(engine, name=args.name, role=Role(args.role)))
    console.print("store this key now; it is shown only once:")
    print(key)


def cmd_apikey_list(args: argparse.Namespace) -> None:
    from api.api_keys import list_api_keys

    keys = _run(lambda engine: list_api_keys(engine, include_revoked=args.all))
    print(f"{'PREFIX':<14}{'ROLE':<12}{'CREATED':<22}{'REVOKED':<22}NAME")
    for key in keys:
        revoked = key.revoked_at.strftime("%Y-%m-%d %H:%M:%S") if key.revoked_at else "-"
        created = key.created_at.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{key.prefix:<14}{key.role:<12}{created:<22}{revoked:<22}{key.name}")


def cmd_apikey_revoke(args: argparse.Namespace) -> None:
    from api.api_keys import CACHE_SECONDS, revoke_api_key

    if not _run(lambda engine: revoke_api_key(engine, args.prefix)):
        raise UsageError(f"no active API key with prefix {args.prefix} (c360 apikey list shows them)")
    console.print(f"revoked {args.prefix}: refused by every server within {CACHE_SECONDS:.0f} s")


def cmd_export_schema(args: argparse.Namespace) -> None:
    from resolvers.schema import schema

    sdl = schema.as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl)
        console.print(f"wrote {args.output}")


def cmd_worker(args: argparse.Namespace) -> None:
    from jobs.worker import run_worker

    run_worker(burst=args.burst, name=args.name)


def _port_free(host: str, port: int) -> bool:
    """Whether the server could listen on host:port now (as uvicorn binds: SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def cmd_serve(args: argparse.Namespace) -> None:
    from api.metrics_dir import multiprocess_dir  # before anything imports prometheus_client

    # A bad setting is refused here with one line, not in each worker.
    with multiprocess_dir(get_settings().var_dir):
        _serve(args)


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from api.auth import issue_token

    if not _port_free(args.host, args.port):
        raise UsageError(f"port {args.port} on {args.host} is already in use (pick another with --port)")
    if not args.access_log:
        os.environ["C360_ACCESS_LOG"] = "0"
    if args.demo:

        async def prepare(engine: Any) -> None:
            await _migrate(engine)
            if await _is_empty(engine):
                counts = await _seed(engine, args.customers, 42)
                console.print(f"seeded {counts['people']} demo people ({counts['orders']} orders)")

        _run(prepare)
        token = issue_token(get_settings().secret, role=Role.ADMIN, subject="demo-admin", ttl_seconds=7 * 24 * 3600)
        url = f"http://{args.host}:{args.port}/graphql"
        console.print(f"\n[bold]c360[/bold] is serving {url}\n")
        console.print("ADMIN token (valid 7 days):")
        print(token, flush=True)
        console.print(
            f"\nGraphiQL with this token in its Headers tab (the part after # never leaves the browser):\n"
            f"  {url}#token={token}\n"
            f"or: curl -s {url} -H 'Authorization: Bearer <token>' -H 'Content-Type: application/json' "
            '-d \'{"query":"{ viewer { role } }"}\'\n',
            soft_wrap=True,
        )
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning" if args.demo else "info",
        log_config=None,  # uvicorn's loggers propagate to the JSON handler (api/logs.py)
        access_log=False,  # the app logs each request (api/middleware.py)
    )


def cmd_refresh_scores(args: argparse.Namespace) -> None:
    import datetime as dt

    from domain.scoring.refresh import refresh_all

    as_of = dt.datetime.fromisoformat(args.as_of.replace("Z", "+00:00")) if args.as_of else None
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.UTC)

    async def go(engine: Any) -> dict[str, Any]:
        labels = {
            "aggregate": "reading orders (one SQL pass)",
            "fit": "fitting BG/NBD + Gamma-Gamma",
            "score": "scoring every customer",
            "write": "writing scores",
        }
        with Progress(console=console) as progress:
            tasks: dict[str, Any] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(labels.get(stage, stage), total=total)
                progress.update(tasks[stage], completed=done, total=total)

            return await refresh_all(engine, as_of, report)

    result = _run(go)
    console.print(f"scored {result['customers']} customers ({result['rfmScored']} with RFM); model {result['modelId']}")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("c360")
    except PackageNotFoundError:
        return "unknown"


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help ends with its default, except flags and options without one."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or isinstance(action.default, bool) or action.default == argparse.SUPPRESS:
            return action.help
        return super()._get_help_string(action)


def cmd_find_duplicates(args: argparse.Namespace) -> None:
    from domain.customers.review import find_lookalikes

    async def go(engine: Any) -> int:
        async with engine.begin() as conn:
            return await find_lookalikes(conn)

    proposed = _run(go)
    console.print(f"proposed {proposed} look-alike pairs for review (duplicateCandidates)")


def build_parser() -> argparse.ArgumentParser:
    fmt = _Help
    parser = argparse.ArgumentParser(
        prog="c360", description="Customer-360 GraphQL API for omnichannel retail.", formatter_class=fmt
    )
    parser.add_argument("--version", action="version", version=f"c360 {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, formatter_class=fmt)

    serve = command("serve", "serve the GraphQL API (GraphiQL for browsers at /graphql, /metrics, /healthz)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="TCP port to listen on")
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes (one /metrics for all: multiprocess mode)"
    )
    serve.add_argument("--demo", action="store_true", help="migrate, seed demo data if empty, print an ADMIN token")
    serve.add_argument("--customers", type=int, default=2000, help="demo people to seed with --demo")
    serve.add_argument(
        "--no-access-log", dest="access_log", action="store_false", help="no log line per request (benchmarks)"
    )
    serve.set_defaults(fn=cmd_serve)

    refresh = command("refresh-scores", "a full score refresh in the foreground, with progress")
    refresh.add_argument("--as-of", help="ISO time (default: now), e.g. 1997-09-30T00:00:00Z")
    refresh.set_defaults(fn=cmd_refresh_scores)

    command("migrate", "migrate the database to the latest revision").set_defaults(fn=cmd_migrate)
    command("find-duplicates", "propose look-alike customers for review now (the nightly job's work)").set_defaults(
        fn=cmd_find_duplicates
    )

    seed = command("seed", "seed deterministic demo data")
    seed.add_argument("--customers", type=int, default=2000, help="demo people to make")
    seed.add_argument("--seed", type=int, default=42, help="random seed (the same seed, the same people)")
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no customers")
    seed.set_defaults(fn=cmd_seed)

    imp = command(
        "import",
        "import channel profiles or orders from a JSONL file; exit status 0 when every line was accepted, "
        "1 when some were rejected",
    )
    imp.add_argument("kind", choices=["profiles", "orders"], help="what each line is")
    imp.add_argument("file", help="one JSON object per line, with the GraphQL input's field names")
    imp.add_argument("--batch-size", type=int, default=500, help="lines per transaction")
    imp.add_argument(
        "--rejects", metavar="FILE", help="write the rejected lines, as they were, to FILE (mode 0600; default: none)"
    )
    imp.set_defaults(fn=cmd_import)

    token = command("token", "print a signed JWT for a role")
    token.add_argument("--role", required=True, choices=ROLES, help="the caller's role")
    token.add_argument("--subject", help="the caller's name (default: the role in lower case)")
    token.add_argument("--ttl", type=int, default=3600, help="seconds the token is valid, at most 2592000 (30 days)")
    token.set_defaults(fn=cmd_token)

    apikey = command("apikey", "partner API keys: create, list, revoke")
    apikey_sub = apikey.add_subparsers(dest="apikey_command", required=True, metavar="ACTION")
    create = apikey_sub.add_parser("create", help="create a key (shown once)", formatter_class=fmt)
    create.add_argument("--name", required=True, help="who the key is for (its subject: apikey:NAME)")
    create.add_argument("--role", required=True, choices=ROLES, help="the key's role")
    create.set_defaults(fn=cmd_apikey)
    listing = apikey_sub.add_parser("list", help="list keys: prefix, role, created, revoked, name", formatter_class=fmt)
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    listing.set_defaults(fn=cmd_apikey_list)
    revoke = apikey_sub.add_parser("revoke", help="revoke a key by its prefix", formatter_class=fmt)
    revoke.add_argument("prefix", help="the key's prefix (c360_PREFIX_..., as `apikey list` shows it)")
    revoke.set_defaults(fn=cmd_apikey_revoke)

    worker = command("worker", "run an RQ worker (with the scheduler, the relay and periodic jobs)")
    worker.add_argument("--burst", action="store_true", help="relay once, run what is queued, then exit")
    worker.add_argument("--name", help="worker name (default: random)")
    worker.set_defaults(fn=cmd_worker)

    export = command("export-schema", "print or write the GraphQL SDL")
    export.add_argument("--output", "-o", default=str(ROOT / "schema.graphql"), help="file, or - for stdout")
    export.set_defaults(fn=cmd_export_schema)
    return parser


# EX_TEMPFAIL (sysexits.h): the database did not answer; the same command may work later.
EXIT_UNAVAILABLE = 75


def main(argv: list[str] | None = None) -> None:
    """Runs a command; a misconfiguration or a bad argument is one line on stderr and exit
    status 2, never a traceback."""
    from domain.settings import ConfigurationError

    args = build_parser().parse_args(argv)
    try:
        args.fn(args)
    except (UsageError, ConfigurationError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:
        from domain.db import is_unavailable

        if not is_unavailable(exc):
            raise
        # A clear line instead of a stack trace (whose driver message may quote values).
        console.print(
            f"[red]the database is unavailable or did not answer in time ({type(exc).__name__}); retry later[/red]"
        )
        raise SystemExit(EXIT_UNAVAILABLE) from None


def _fail(message: str) -> None:
    print(f"c360: error: {message}", file=sys.stderr)
    raise SystemExit(2) from None


if __name__ == "__main__":
    main()
