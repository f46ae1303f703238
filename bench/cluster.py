"""A PostgreSQL cluster of the benchmark's own (initdb/pg_ctl), with pg_stat_statements loaded.

It lives in `var/bench/pg` (kept between runs, so a loaded data set is reused) and listens on its
own port, so statement counts see nothing but the servers under test. As root, the server runs as
the system user `c360pg` (PostgreSQL refuses root), like `./dev test`'s throwaway server.

Loading runs with fsync, full-page writes and synchronous commit off; `serving()` turns them back
on (they are reloadable) before anything is measured, so c360's audit writes commit durably.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_USER = "c360pg"

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "shared_preload_libraries": "'pg_stat_statements'",
    "pg_stat_statements.max": "10000",
    "pg_stat_statements.track": "'all'",
    "pg_stat_statements.track_utility": "on",
    "max_connections": "200",
    "shared_buffers": "'2GB'",
    "effective_cache_size": "'8GB'",
    "maintenance_work_mem": "'1GB'",
    "wal_level": "'minimal'",
    "max_wal_senders": "0",
    "max_wal_size": "'32GB'",
    "wal_buffers": "'64MB'",
    "checkpoint_timeout": "'30min'",
    "jit": "off",  # JIT compiles big plans (PostGraphile's single statement) at a cost per request
    "random_page_cost": "1.1",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
}


def _bindir() -> Path:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: [int(x) for x in d.split("/")[4].split(".")])
    found = [Path(d) for d in dirs if Path(d, "initdb").exists()]
    if not found:
        raise SystemExit("no initdb under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return found[-1]


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_owner(self, *command: str | Path) -> list[str]:
        args = [str(c) for c in command]
        return ["runuser", "-u", PG_USER, "--", *args] if os.geteuid() == 0 else args

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._as_owner(_bindir() / "pg_ctl", "-D", self.data, *args),
            check=check,
            capture_output=True,
            text=True,
            cwd=self.directory,
        )

    def start(self) -> None:
        """initdb when there is no cluster yet, then start it (a no-op when it runs)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(PG_USER)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                                "--shell", "/usr/sbin/nologin", PG_USER], check=True)  # fmt: skip
            shutil.chown(self.directory, PG_USER)
        if not (self.data / "PG_VERSION").exists():
            subprocess.run(
                self._as_owner(_bindir() / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                               "-E", "UTF8", "--locale=C", "--no-sync"),
                check=True, capture_output=True, cwd=self.directory,
            )  # fmt: skip
        (self.directory / "sock").mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory / "sock", PG_USER)
        settings = {"port": str(self.port), "unix_socket_directories": f"'{self.directory / 'sock'}'", **SETTINGS}
        conf = "\n".join(f"{k} = {v}" for k, v in settings.items())
        (self.data / "postgresql.auto.conf").write_text(conf + "\n")
        if os.geteuid() == 0:
            shutil.chown(self.data / "postgresql.auto.conf", PG_USER)
        if self._pg_ctl("status", check=False).returncode == 0:
            self._pg_ctl("restart", "-w", "-m", "fast", "-l", str(self.directory / "server.log"))
        else:
            self._pg_ctl("start", "-w", "-t", "120", "-l", str(self.directory / "server.log"))

    def stop(self) -> None:
        self._pg_ctl("stop", "-w", "-m", "fast", check=False)

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [str(_bindir() / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-Atc", sql],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return out.stdout.strip()

    def serving(self) -> None:
        """Durable commits again (after a load), and pg_stat_statements in the postgres database."""
        for setting in ("fsync", "full_page_writes", "synchronous_commit"):
            self.psql(f"ALTER SYSTEM SET {setting} = on")
        self.psql("SELECT pg_reload_conf()")
        self.psql("CHECKPOINT")
        self.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

    def loading(self) -> None:
        for setting in ("fsync", "full_page_writes", "synchronous_commit"):
            self.psql(f"ALTER SYSTEM SET {setting} = off")
        self.psql("SELECT pg_reload_conf()")


def default_cluster(port: int = 5499) -> Cluster:
    return Cluster(ROOT / "var" / "bench" / "pg", port)
