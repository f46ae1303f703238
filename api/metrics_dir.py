"""The directory prometheus-client's multiprocess mode shares between a server's workers.

Apart from api/metrics.py on purpose: prometheus-client reads `PROMETHEUS_MULTIPROC_DIR` once,
when it is first imported, so `c360 serve` sets it through this module before that happens."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def multiprocess_dir(var_dir: Path) -> Iterator[Path]:
    """`PROMETHEUS_MULTIPROC_DIR` for a server and its workers, set before any of them imports
    prometheus-client. An operator's own directory is emptied of an earlier run's files and
    kept; otherwise a fresh one under `var_dir` is made and removed when the server stops."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="metrics-", dir=var_dir))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    try:
        yield path
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(path, ignore_errors=True)
