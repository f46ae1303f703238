"""`python -m bench NAME [ARGS]`: run one benchmark (see `python -m bench --help`)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {"customer360": "bench.customer360"}


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in BENCHMARKS:
        print("usage: python -m bench NAME [ARGS]   (NAME: " + ", ".join(BENCHMARKS) + "; NAME --help for its ARGS)")
        raise SystemExit(0 if argv and argv[0] in ("-h", "--help") else 2)
    importlib.import_module(BENCHMARKS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
