"""`c360 import profiles|orders FILE.jsonl`: stream a file of mutation inputs into the database.

Constant memory: the file is read line by line and written in batches (one transaction each,
rerun after a deadlock). A bad line never costs the batch: lines are validated before
anything is written, and should the batch still fail, its lines are written again one by one,
each under a SAVEPOINT, so only the culprit is rejected. Importing the same file twice changes
nothing: the second run reports every line unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.import_parse import parse_order, parse_profile
from domain.customers.bulk import ItemResult, ingest_profiles
from domain.customers.ingest import IdentityRules, Outcome, ingest_profile
from domain.db import in_transaction
from domain.errors import DomainError
from domain.metrics import INGESTED
from domain.orders.bulk import record_orders
from domain.orders.record import record_order

log = structlog.get_logger("c360.import")
Kind = Literal["profiles", "orders"]
BATCH = 500


@dataclass
class Problem:
    line: int
    reason: str  # never a personal value: field names and rules only


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome} | {"rejected": 0})
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # kept lines with a field left out

    @property
    def lines(self) -> int:
        return sum(self.counts.values())


def _reason(error: DomainError) -> str:
    where = f" ({'.'.join(error.field)})" if error.field else ""
    return f"{error.code.value}: {error.message}{where}"


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line), skipping blank lines."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, raw


def count_rows(path: Path) -> int:
    """How many lines `read_lines` will yield (the progress bar's total)."""
    rows = 0
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                rows += 1
    return rows


Writer = Callable[[AsyncConnection, Sequence[Any], IdentityRules], Awaitable[list[ItemResult]]]


async def _one_by_one(
    conn: AsyncConnection, items: Sequence[Any], rules: IdentityRules, kind: Kind
) -> list[ItemResult]:
    """The slow path after a batch failed: each item under its own SAVEPOINT."""
    results = []
    for item in items:
        try:
            async with conn.begin_nested():
                if kind == "orders":
                    done = await record_order(conn, item, rules)
                    outcome = Outcome.CREATED if done.created else Outcome.UNCHANGED
                    results.append(ItemResult(outcome=outcome, customer_id=done.customer_id))
                else:
                    got = await ingest_profile(conn, item, rules)
                    results.append(ItemResult(outcome=got.outcome, warnings=got.errors, customer_id=got.customer_id))
        except DomainError as error:
            results.append(ItemResult(error=error))
        except DBAPIError as error:
            log.warning("import_line_failed", error_type=type(error.orig).__name__)
            results.append(ItemResult(error=DomainError("the database refused this line")))
    return results


async def import_file(
    engine: AsyncEngine,
    kind: Kind,
    path: Path,
    rules: IdentityRules,
    *,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
    rejects: Callable[[int, bytes], None] | None = None,
) -> ImportReport:
    """Import the file; `progress` is called with the rows done, `rejects` with each rejected
    line's number and raw bytes, in line order within a batch."""
    parse = parse_orders_line if kind == "orders" else parse_profiles_line
    bulk: Writer = record_orders if kind == "orders" else ingest_profiles
    report = ImportReport()
    batch: list[tuple[int, bytes, Any]] = []
    label = "order" if kind == "orders" else "profile"

    def reject(number: int, raw: bytes, error: DomainError) -> None:
        report.counts["rejected"] += 1
        report.rejected.append(Problem(number, _reason(error)))
        INGESTED.labels(label, "import", "rejected").inc()
        if rejects:
            rejects(number, raw)

    async def flush() -> None:
        if not batch:
            return
        items = [item for _, _, item in batch]
        try:
            results = await in_transaction(engine.begin, lambda conn: bulk(conn, items, rules))
        except DBAPIError as error:
            log.warning("import_batch_retried_line_by_line", error_type=type(error.orig).__name__)
            results = await in_transaction(engine.begin, lambda conn: _one_by_one(conn, items, rules, kind))
        for (number, raw, _), result in zip(batch, results, strict=True):
            if result.error is not None:
                reject(number, raw, result.error)
                continue
            assert result.outcome is not None
            report.counts[result.outcome.value] += 1
            INGESTED.labels(label, "import", result.outcome.value).inc()
            report.warnings += [Problem(number, _reason(w)) for w in result.warnings]
        batch.clear()

    done = 0
    for number, raw in read_lines(path):
        done += 1
        try:
            batch.append((number, raw, parse(raw)))
        except DomainError as error:
            reject(number, raw, error)
        if len(batch) >= batch_size:
            await flush()
            if progress:
                progress(done)
    await flush()
    if progress:
        progress(done)
    return report


def parse_orders_line(raw: bytes) -> Any:
    return parse_order(raw)


def parse_profiles_line(raw: bytes) -> Any:
    return parse_profile(raw)
