"""c360 next to PostGraphile and a raw asyncpg endpoint on the same data, PostgreSQL and machine.

`bench/run` calls this (see bench/README.md). It starts the benchmark's own PostgreSQL cluster
(bench/cluster.py, pg_stat_statements loaded), makes or keeps the data set (bench/dataset.py),
adds PostGraphile's computed columns (bench/peer_schema.py), then for each server in turn: starts
it with the same number of processes, checks every read answers without errors, warms up, and
drives each read with wrk (a Lua script picks a random customer per request) at fixed
concurrency, while it samples the RSS of the server's processes and counts the SQL statements
PostgreSQL ran (pg_stat_statements, reset before each run, top-level statements of the bench
database only). The measuring part holds /tmp/c360-measure.lock (flock), the data load does not.

Servers: c360 (`c360 serve --workers N`, an ADMIN token: every personal field clear, so masking
decides on every field and every clear read is audited), PostGraphile v5 (bench/postgraphile/,
node:cluster with N workers) and bench/raw_endpoint.py (uvicorn --workers N).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import fcntl
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import dataset, peer_schema, queries
from bench.cluster import Cluster, default_cluster

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LOCK = "/tmp/c360-measure.lock"
SERVERS = ("c360", "postgraphile", "raw")
READS = ("a", "b", "c")
IDLE_SECONDS = 5
READ_NAMES = {
    "a": "(a) customer 360",
    "b": "(b) 50 HIGH customers, 5 orders each",
    "c": "(c) insights for a quarter",
}


@dataclass
class Run:
    server: str
    read: str
    connections: int
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    failed: int = 0
    statements: int = 0
    transaction_statements: int = 0
    background_sql_per_s: float = 0.0
    rss_mb: float = 0.0
    rss_mb_per_process: float = 0.0
    processes: int = 0
    load: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def sql_per_request(self) -> float:
        return self.statements / self.requests if self.requests else 0.0


@dataclass
class Report:
    machine: dict[str, Any]
    options: dict[str, Any]
    load_seconds: float | None
    counts: dict[str, int]
    runs: list[Run] = field(default_factory=list)


# ---------------------------------------------------------------- processes


def _tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    """The largest sum of RSS over the server's process tree, sampled every 0.5 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.stop = pid, threading.Event()
        self.max_kb, self.max_one_kb, self.processes = 0, 0, 0

    def run(self) -> None:
        while not self.stop.is_set():
            sizes = [_rss_kb(p) for p in _tree(self.pid)]
            self.max_kb = max(self.max_kb, sum(sizes))
            self.max_one_kb = max(self.max_one_kb, *sizes, 0)
            self.processes = max(self.processes, len([s for s in sizes if s]))
            self.stop.wait(0.5)


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _start(name: str, command: list[str], env: dict[str, str], port: int, cwd: Path, logs: Path) -> Server:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
    return Server(name, process, f"http://127.0.0.1:{port}", log)


def _wait_ready(server: Server, probe: tuple[str, str, dict[str, str], bytes | None]) -> None:
    method, path, headers, body = probe
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited while starting:\n{server.log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.request(method, server.base + path, headers=headers, content=body, timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"{server.name} did not start:\n{server.log.read_text()[-3000:]}")


# ---------------------------------------------------------------- requests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def customer_gid(pk: int) -> str:
    return base64.urlsafe_b64encode(f"Customer:{pk}".encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Request:
    """What wrk sends: `%ID%` in path or body is replaced by a random customer key."""

    method: str
    path: str
    body: str | None
    keys: list[str] | None  # None: every request is the same


def _graphql(query: str, variables: dict[str, Any] | None = None) -> str:
    return json.dumps({"query": " ".join(query.split()), "variables": variables or {}})


def requests_for(server: str, pks: list[int]) -> dict[str, Request]:
    start, end = queries.QUARTER
    if server == "c360":
        return {
            "a": Request(
                "POST", "/graphql", _graphql(queries.C360_CUSTOMER, {"id": "%ID%"}), [customer_gid(p) for p in pks]
            ),
            "b": Request("POST", "/graphql", _graphql(queries.C360_HIGH_VALUE), None),
            "c": Request("POST", "/graphql", _graphql(queries.C360_INSIGHTS, {"from": start, "to": end}), None),
        }
    if server == "postgraphile":
        return {
            "a": Request("POST", "/graphql", _graphql(queries.PG_CUSTOMER, {"id": "%ID%"}), [str(p) for p in pks]),
            "b": Request("POST", "/graphql", _graphql(queries.PG_HIGH_VALUE), None),
            "c": Request("POST", "/graphql", _graphql(queries.PG_INSIGHTS, {"from": start, "to": end}), None),
        }
    quarter = f"/insights?from={start.replace('+', '%2B')}&to={end.replace('+', '%2B')}"
    return {
        "a": Request("GET", "/customer/%ID%", None, [str(p) for p in pks]),
        "b": Request("GET", "/customers/high-value", None, None),
        "c": Request("GET", quarter, None, None),
    }


LUA = r"""
local keys = {%(keys)s}
local method, path, body = %(method)s, %(path)s, %(body)s
wrk.headers["Content-Type"] = "application/json"
%(headers)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
failed = 0
function init(args) math.randomseed(%(seed)d + os.time()) end
function request()
  local p, b = path, body
  if #keys > 0 then
    local k = keys[math.random(1, #keys)]
    p = string.gsub(p, "%%%%ID%%%%", k)
    if b then b = string.gsub(b, "%%%%ID%%%%", k) end
  end
  return wrk.format(method, p, nil, b)
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then failed = failed + 1 end
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  for _, t in ipairs(threads) do bad = bad + t:get("failed") end
  io.write(string.format('BENCH {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"failed":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad))
end
"""


def _lua_string(text: str | None) -> str:
    return "nil" if text is None else "[==[" + text + "]==]"


def wrk(base: str, request: Request, headers: dict[str, str], seconds: int, connections: int) -> dict[str, Any]:
    script = LUA % {
        "keys": ",".join(f'"{k}"' for k in request.keys or []),
        "method": _lua_string(request.method),
        "path": _lua_string(request.path),
        "body": _lua_string(request.body),
        "headers": "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()),
        "seed": random.randrange(1 << 30),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        threads = max(1, min(2, connections))
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "120s", "-s", f.name, base],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(f.name)
    match = re.search(r"^BENCH (\{.*\})$", out, re.MULTILINE)
    if match is None:
        raise SystemExit("wrk printed no result:\n" + out)
    return dict(json.loads(match.group(1)))


def check(base: str, request: Request, headers: dict[str, str]) -> Any:
    """One request as wrk would send it; its JSON, or exit when it fails."""
    key = (request.keys or [""])[0]
    body = request.body.replace("%ID%", key) if request.body else None
    response = httpx.request(request.method, base + request.path.replace("%ID%", key), content=body, timeout=300,
                             headers={"Content-Type": "application/json", **headers})  # fmt: skip
    data = response.json()
    if response.status_code != 200 or data.get("errors"):
        raise SystemExit(f"{base}{request.path} failed before the run: {str(data)[:2000]}")
    return data


# ---------------------------------------------------------------- statements


def database_name(customers: int) -> str:
    """One database per size in the bench cluster, so a smoke run keeps the full data set."""
    return f"c360_bench_{customers}"


_TRANSACTION = (
    r"^\s*(begin|commit|rollback|start|end|set|reset|show|discard|deallocate|savepoint|release|close|unlisten"
    r"|select pg_advisory_unlock_all)\M"
)


def _statements(cluster: Cluster, database: str) -> tuple[int, int]:
    """(all, transaction control and SET) top-level statements run in `database` since the reset."""
    out = cluster.psql(
        f"""SELECT coalesce(sum(calls), 0), coalesce(sum(calls) FILTER (WHERE query ~* '{_TRANSACTION}'), 0)
            FROM pg_stat_statements
            WHERE toplevel AND dbid = (SELECT oid FROM pg_database WHERE datname = '{database}')"""
    )
    total, tx = out.split("|")
    return int(total), int(tx)


def settle(cluster: Cluster, database: str, timeout: float = 120) -> None:
    """Wait until the server runs nothing in `database`: requests a stopped wrk left in flight
    would otherwise overlap the next run and push concurrency above the fixed count."""
    deadline = time.monotonic() + timeout
    query = f"""SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()
                AND state IN ('active', 'idle in transaction')"""
    quiet = 0
    while time.monotonic() < deadline and quiet < 3:
        quiet = quiet + 1 if cluster.psql(query) == "0" else 0
        time.sleep(0.5)


def _reset_statements(cluster: Cluster) -> None:
    cluster.psql("SELECT pg_stat_statements_reset()")


# ---------------------------------------------------------------- the run


@contextlib.contextmanager
def measuring_lock() -> Iterator[None]:
    with open(LOCK, "w") as f:
        print(f"waiting for {LOCK} ...", flush=True)
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    pg = subprocess.run([str(Path(shutil.which("pg_config") or "pg_config"))], capture_output=True, text=True)
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "cpu": cpu.group(1).strip() if cpu else "?",
        "load_at_start": _load(),
        "postgres": subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
        or pg.stdout.strip(),
        "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
        "python": sys.version.split()[0],
    }


def start_server(
    name: str, cluster: Cluster, database: str, processes: int, port: int, logs: Path
) -> tuple[Server, dict[str, str]]:
    url = f"postgresql://postgres@127.0.0.1:{cluster.port}/{database}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "VIRTUAL_ENV")}
    probe: tuple[str, str, dict[str, str], bytes | None]
    if name == "c360":
        from api.auth import issue_token
        from domain.privacy.roles import Role

        secret = secrets.token_urlsafe(32)
        env |= {
            "DATABASE_URL": url.replace("postgresql://", "postgresql+asyncpg://"),
            "C360_SECRET": secret,
            "C360_VAR_DIR": str(logs / "c360-var"),
            # One caller drives all the load: lift its cost rate limit (the cost limit stays).
            "C360_RATE_LIMIT_PER_SECOND": "1000000000",
            "C360_RATE_LIMIT_BURST": "1000000000",
        }
        (logs / "c360-var").mkdir(exist_ok=True)
        command = [str(ROOT / ".venv" / "bin" / "c360"), "serve", "--port", str(port), "--workers", str(processes),
                   "--no-access-log"]  # fmt: skip
        token = issue_token(secret, role=Role.ADMIN, subject="bench", ttl_seconds=24 * 3600)
        headers = {"Authorization": f"Bearer {token}"}
        server = _start(name, command, env, port, ROOT, logs)
        probe = (
            "POST",
            "/graphql",
            {"Content-Type": "application/json", **headers},
            b'{"query":"{ viewer { role } }"}',
        )
    elif name == "postgraphile":
        env |= {"DATABASE_URL": url, "PORT": str(port), "WORKERS": str(processes), "NODE_ENV": "production"}
        server = _start(name, ["node", "server.js"], env, port, BENCH / "postgraphile", logs)
        headers = {}
        probe = ("POST", "/graphql", {"Content-Type": "application/json"}, b'{"query":"{ __typename }"}')
    else:
        env |= {"DATABASE_URL": url}
        command = [str(ROOT / ".venv" / "bin" / "uvicorn"), "bench.raw_endpoint:app", "--port", str(port),
                   "--workers", str(processes), "--log-level", "warning", "--no-access-log"]  # fmt: skip
        server = _start(name, command, env, port, ROOT, logs)
        headers = {}
        probe = ("GET", "/healthz", {}, None)
    _wait_ready(server, probe)
    return server, headers


def shape(value: Any) -> Any:
    """The keys of a JSON document, recursively (lists: the union of their items' shapes)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items() if k != "extensions"}
    if isinstance(value, list):
        merged: dict[str, Any] = {}
        for item in value:
            s = shape(item)
            if isinstance(s, dict):
                merged |= s
        return [merged]
    return None


def measure(args: argparse.Namespace, cluster: Cluster, report: Report, logs: Path) -> None:
    samples: dict[tuple[str, str], Any] = {}
    pks = random.Random(args.seed).sample(range(1, args.customers + 1), min(2000, args.customers))
    for i, name in enumerate(args.servers):
        print(f"\n== {name}: {args.processes} process(es)", flush=True)
        server, headers = start_server(
            name, cluster, args.database, args.processes, args.port + i if args.port else _free_port(), logs
        )
        try:
            reqs = requests_for(name, pks)
            for read in args.reads:
                sample = check(server.base, reqs[read], headers)
                samples[name, read] = sample
                (logs / f"{name}-{read}.json").write_text(json.dumps(sample, indent=1, ensure_ascii=False))
                if args.check_only:
                    continue
                connections = args.insights_connections if read == "c" else args.connections
                warmup = min(args.warmup, 3) if read == "c" else args.warmup
                if warmup:
                    wrk(server.base, reqs[read], headers, warmup, connections)
                settle(cluster, args.database)
                # What the idle server runs by itself (c360's job loop polls), subtracted below.
                _reset_statements(cluster)
                time.sleep(IDLE_SECONDS)
                idle_total, idle_tx = _statements(cluster, args.database)
                _reset_statements(cluster)
                sampler = RssSampler(server.process.pid)
                sampler.start()
                r = wrk(server.base, reqs[read], headers, args.duration, connections)
                sampler.stop.set()
                sampler.join()
                total, tx = _statements(cluster, args.database)
                seconds = r["duration_us"] / 1e6
                background = idle_total / IDLE_SECONDS
                total = max(0, round(total - background * seconds))
                tx = max(0, round(tx - idle_tx / IDLE_SECONDS * seconds))
                run = Run(
                    server=name, read=read, connections=connections, requests=r["requests"],
                    seconds=r["duration_us"] / 1e6, p50_ms=r["p50_us"] / 1000, p99_ms=r["p99_us"] / 1000,
                    failed=r["failed"], statements=total, transaction_statements=tx, background_sql_per_s=background,
                    rss_mb=sampler.max_kb / 1024, rss_mb_per_process=sampler.max_one_kb / 1024,
                    processes=sampler.processes, load=_load(),
                )  # fmt: skip
                report.runs.append(run)
                print(f"  {READ_NAMES[read]:40s} {run.rps:8.1f} req/s  p50 {run.p50_ms:8.1f} ms  "
                      f"p99 {run.p99_ms:8.1f} ms  {run.sql_per_request:5.1f} SQL/req  RSS {run.rss_mb:6.0f} MB "
                      f"({run.processes} proc)  failed {run.failed}  load {run.load}", flush=True)  # fmt: skip
        finally:
            server.stop()
    for read in args.reads:
        if ("c360", read) in samples and ("raw", read) in samples:
            same = shape(samples["c360", read]) == shape(samples["raw", read])
            print(
                f"{READ_NAMES[read]}: the raw endpoint's JSON has {'the same' if same else 'ANOTHER'} shape as c360's"
            )


# ---------------------------------------------------------------- the table


def _ratio(value: float, base: Run | None, attr: str) -> str:
    denominator = getattr(base, attr) if base else 0.0
    return f"{value / denominator:.2f}" if denominator else "-"


def _cell(run: Run, pg: Run | None, raw: Run | None, attr: str, fmt: str) -> str:
    """`value (value / PostGraphile's, value / raw's)`."""
    value = getattr(run, attr)
    shown = f"{value:.2f}" if fmt == ".1f" and abs(value) < 10 else f"{value:{fmt}}"
    return f"{shown} ({_ratio(value, pg, attr)} / {_ratio(value, raw, attr)})"


def render(path: Path) -> str:
    """The report's markdown again from a results file (bench/results/side_by_side.json)."""
    data = json.loads(path.read_text())
    fields = {f for f in Run.__dataclass_fields__}
    runs = [Run(**{k: v for k, v in r.items() if k in fields}) for r in data.pop("runs")]
    return markdown(Report(**{**data, "runs": runs}))


def table(report: Report) -> str:
    by = {(r.server, r.read): r for r in report.runs}
    names = {"c360": "**c360**", "postgraphile": "PostGraphile", "raw": "raw asyncpg"}
    lines = [
        "| read | server | req/s | p50 ms | p99 ms | SQL/req | RSS MB | procs | max MB/proc | tx/req | idle SQL/s "
        "| failed | load |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for read in READS:
        pg, raw = by.get(("postgraphile", read)), by.get(("raw", read))
        for server in SERVERS:
            r = by.get((server, read))
            if r is None:
                continue
            columns = (
                ("rps", ".1f"),
                ("p50_ms", ".1f"),
                ("p99_ms", ".1f"),
                ("sql_per_request", ".1f"),
                ("rss_mb", ".0f"),
            )
            cells = [_cell(r, pg, raw, attr, fmt) for attr, fmt in columns]
            tx = r.transaction_statements / r.requests if r.requests else 0.0
            lines.append(
                f"| {READ_NAMES[read]}, {r.connections} conn | {names[server]} | {' | '.join(cells)} | "
                f"{r.processes} | {r.rss_mb_per_process:.0f} | {tx:.1f} | {r.background_sql_per_s:.1f} | "
                f"{r.failed} | {r.load} |"
            )
    return "\n".join(lines)


def markdown(report: Report) -> str:
    m, o = report.machine, report.options
    load = "kept from an earlier run" if report.load_seconds is None else f"made in {report.load_seconds:.0f} s"
    counts = ", ".join(f"{k} {v:,}" for k, v in report.counts.items())
    return f"""Machine: {m["nproc"]} CPUs ({m["cpu"]}), {m["memory_gb"]} GB RAM, load average {m["load_at_start"]} when
the measuring started (shared with other work; each row's load is in the last column). {m["postgres"]},
node {m["node"]}, Python {m["python"]}. Data: {counts} (seed {o["seed"]}, {load}).
Every server runs {o["processes"]} process(es). wrk: {o["connections"]} connections ((c): {o["insights_connections"]}),
{o["duration"]} s after a {o["warmup"]} s warm-up ((c): at most 3 s). Each cell is `value (value / PostGraphile's,
value / raw's)` from the same run: a ratio above 1 is more requests/s, more latency, more statements or more
memory. SQL/req: top-level statements PostgreSQL ran per completed request (pg_stat_statements), minus what
the idle server runs by itself (idle SQL/s, measured for {IDLE_SECONDS} s before the run: c360's job loop
polls); tx/req: the part of them that is transaction control, SET or a pool's connection reset. RSS: the
largest sum over the server's processes (supervisor included), sampled every 0.5 s under load.

{table(report)}
"""


# The job benchmarks of issue 8, run when their module is in bench/ (each prints its own figures,
# quoted verbatim in the report): module -> arguments. `{admin}` is the bench cluster's admin URL.
JOBS: dict[str, list[str]] = {
    "scoring": [],  # bench/scoring.py (full and per-customer score refresh), once it exists
    "ingest": ["--pg", "{admin}"],  # bench/ingest.py: `c360 import` throughput of profiles and orders
}


def jobs(cluster: Cluster, database: str) -> str:
    """Each job benchmark's output (under the measuring lock), or why it was skipped."""
    out = []
    for module, arguments in JOBS.items():
        if not (BENCH / f"{module}.py").exists():
            out.append(f"bench/{module}.py: not in this tree, skipped")
            continue
        env = os.environ | {
            "C360_BENCH_POSTGRES_URL": cluster.url,
            "DATABASE_URL": dataset.postgres_url(database, cluster.url),
            "C360_SECRET": secrets.token_urlsafe(32),
        }
        argv = [a.format(admin=cluster.url) for a in arguments]
        print(f"\n== job bench: bench/{module}.py {' '.join(argv)}", flush=True)
        began, load = time.perf_counter(), _load()
        done = subprocess.run([sys.executable, "-m", f"bench.{module}", *argv], cwd=ROOT, env=env,
                              capture_output=True, text=True)  # fmt: skip
        print(done.stdout + done.stderr[-2000:], flush=True)
        status = "" if done.returncode == 0 else f", exit status {done.returncode}"
        out.append(f"$ python -m bench.{module} {' '.join(argv)}   "
                   f"# {time.perf_counter() - began:.0f} s, load {load}{status}\n{done.stdout.strip()}")  # fmt: skip
    return "```\n" + "\n\n".join(out) + "\n```"


def write_readme(text: str, section: str = "side-by-side") -> None:
    readme = BENCH / "README.md"
    content = readme.read_text()
    begin, end = f"<!-- {section}:begin -->", f"<!-- {section}:end -->"
    if begin in content and end in content:
        head, rest = content.split(begin, 1)
        content = head + begin + "\n" + text + "\n" + end + rest.split(end, 1)[1]
    else:
        content += f"\n{begin}\n{text}\n{end}\n"
    readme.write_text(content)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=30, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of warm-up before each run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--insights-connections", type=int, default=2,
                        help="(c) is seconds of aggregates: 16 at once would only queue")  # fmt: skip
    parser.add_argument("--processes", type=int, default=2, help="server processes, the same for every server")
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--reads", default=",".join(READS))
    parser.add_argument("--pg-port", type=int, default=5499)
    parser.add_argument("--port", type=int, default=0, help="first server port (one per server; default: free ports)")
    smoke = "20k customers, 200k orders, 5 s runs after 2 s warm-ups (a check, not a figure)"
    parser.add_argument("--smoke", action="store_true", help=smoke)
    parser.add_argument("--check-only", action="store_true",
                        help="start each server and check each read answers, measure nothing (no lock)")  # fmt: skip
    parser.add_argument("--no-jobs", action="store_true", help="skip the job benchmarks (scoring, ingest)")
    parser.add_argument("--jobs-only", action="store_true", help="only the job benchmarks")
    parser.add_argument("--render", type=Path, help="only rewrite the README table from this results file")
    parser.add_argument("--no-readme", action="store_true", help="do not write the table into bench/README.md")
    parser.add_argument("--reload", action="store_true", help="load the data set again even when it is there")
    args = parser.parse_args(argv)
    if args.smoke:
        args.customers, args.orders, args.duration, args.warmup = 20_000, 200_000, 5, 2
    args.servers = [s for s in args.servers.split(",") if s]
    args.reads = [r for r in args.reads.split(",") if r]
    args.database = database_name(args.customers)

    if args.render:
        text = render(args.render)
        print(text)
        if not args.no_readme:
            write_readme(text)
        return
    cluster = default_cluster(args.pg_port)
    cluster.start()
    try:
        cluster.loading()
        seconds = asyncio.run(
            dataset.ensure(
                cluster.url,
                args.database,
                customers=args.customers,
                orders=args.orders,
                seed=args.seed,
                reuse=not args.reload,
            )
        )
        print("data set: " + ("kept" if seconds is None else f"loaded in {seconds:.1f} s"), flush=True)
        cluster.serving()
        for statement in peer_schema.statements():
            cluster.psql(statement, args.database)
        counts = asyncio.run(dataset.counts(dataset.postgres_url(args.database, cluster.url)))
        report = Report(machine=_machine(), options=vars(args) | {}, load_seconds=seconds, counts=counts)
        logs = ROOT / "var" / "bench" / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        if args.check_only:
            measure(args, cluster, report, logs)
            return
        with measuring_lock():
            report.machine["load_at_start"] = _load()
            if not args.jobs_only:
                measure(args, cluster, report, logs)
            job_text = None if args.no_jobs or args.smoke else jobs(cluster, args.database)
        write = not args.no_readme and not args.smoke
        if not args.jobs_only:
            text = markdown(report)
            print("\n" + text)
            results = BENCH / "results"
            results.mkdir(exist_ok=True)
            runs = [asdict(r) | {"rps": r.rps} for r in report.runs]
            (results / "side_by_side.json").write_text(json.dumps(asdict(report) | {"runs": runs}, indent=1))
            if write:
                write_readme(text)
        if job_text is not None:
            print("\n" + job_text)
            if write:
                write_readme(job_text, "jobs")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
