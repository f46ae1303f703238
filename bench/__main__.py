"""`./dev bench NAME [ARGS]`: dataset (the 1M/10M data set), ingest (c360 import throughput) or
cdnow (the CDNOW import check). The side-by-side load test is `bench/run` (see bench/README.md)."""

from __future__ import annotations

import sys


def main() -> None:
    name, *rest = sys.argv[1:] or ["help"]
    if name == "dataset":
        from bench.dataset import main as run
    elif name == "ingest":
        from bench.ingest import main as run
    elif name == "cdnow":
        from bench.cdnow import main as run
    else:
        print("usage: ./dev bench dataset|ingest|cdnow [ARGS]  (see bench/dataset.py, bench/ingest.py, bench/cdnow.py)")
        raise SystemExit(2)
    run(rest)


if __name__ == "__main__":
    main()
