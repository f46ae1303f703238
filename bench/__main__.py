"""`./dev bench NAME [ARGS]`: ingest (c360 import throughput), cdnow (the CDNOW import check) or
execution (the standard and the fast executor in process)."""

from __future__ import annotations

import sys


def main() -> None:
    name, *rest = sys.argv[1:] or ["help"]
    if name == "ingest":
        from bench.ingest import main as run
    elif name == "cdnow":
        from bench.cdnow import main as run
    elif name == "execution":
        from bench.execution import main as run
    else:
        print("usage: ./dev bench ingest|cdnow|execution [ARGS]  (see bench/<name>.py)")
        raise SystemExit(2)
    run(rest)


if __name__ == "__main__":
    main()
