"""`./dev bench NAME [ARGS]`: ingest (c360 import throughput), cdnow (the CDNOW import check) or
scoring (full and per-customer score refreshes over 1M customers / 10M orders)."""

from __future__ import annotations

import sys


def main() -> None:
    name, *rest = sys.argv[1:] or ["help"]
    if name == "ingest":
        from bench.ingest import main as run
    elif name == "cdnow":
        from bench.cdnow import main as run
    elif name == "scoring":
        from bench.scoring import main as run
    else:
        print("usage: ./dev bench ingest|cdnow|scoring [ARGS]  (see bench/ingest.py, bench/cdnow.py, bench/scoring.py)")
        raise SystemExit(2)
    run(rest)


if __name__ == "__main__":
    main()
