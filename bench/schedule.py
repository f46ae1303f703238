"""Run the steps of a bulk load on a few connections at once, each step as soon as the steps it
needs are done, the longest remaining chain first (list scheduling).

A load made of fixed stages leaves cores idle while one long chain finishes (bench/dataset.py
lost a core for 150 s that way); with the steps as a graph, every free connection takes the
ready step with the most work after it, so the chains end together.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class Step:
    """Statements run in order on one connection, once every step named in `after` is done.
    `cost` is the step's seconds at full size on a quiet core: it only orders the queue."""

    name: str
    statements: tuple[str, ...]
    after: tuple[str, ...] = ()
    cost: float = 1.0


def _chain_lengths(steps: Sequence[Step]) -> dict[str, float]:
    """Each step's cost plus the longest chain of steps that wait for it."""
    waiting: dict[str, list[str]] = defaultdict(list)
    for step in steps:
        for name in step.after:
            waiting[name].append(step.name)
    cost = {s.name: s.cost for s in steps}
    lengths: dict[str, float] = {}

    def length(name: str) -> float:
        if name not in lengths:
            lengths[name] = cost[name] + max((length(w) for w in waiting[name]), default=0.0)
        return lengths[name]

    for step in steps:
        length(step.name)
    return lengths


async def run(engine: AsyncEngine, steps: Sequence[Step], *, connections: int, setup: Sequence[str] = ()) -> float:
    """Run every step, `setup` first on each connection; prints one line per step (start, seconds,
    name) and returns the seconds it all took."""
    by_name = {s.name: s for s in steps}
    unknown = {n for s in steps for n in s.after} - set(by_name)
    if unknown or len(by_name) != len(steps):
        raise ValueError(f"steps wait for unknown steps {sorted(unknown)} or share a name")
    lengths = _chain_lengths(steps)
    pending, done = set(by_name), set[str]()
    changed = asyncio.Condition()
    began = time.perf_counter()

    async def take() -> Step | None:
        async with changed:
            while pending:
                ready = [n for n in pending if all(a in done for a in by_name[n].after)]
                if ready:
                    name = max(ready, key=lambda n: (lengths[n], n))
                    pending.discard(name)
                    return by_name[name]
                await changed.wait()
            return None

    async def connection() -> None:
        async with engine.connect() as conn:
            for statement in setup:
                await conn.exec_driver_sql(statement)
            while (step := await take()) is not None:
                start = time.perf_counter()
                for statement in step.statements:
                    await conn.exec_driver_sql(statement)
                print(f"  {start - began:7.1f} s +{time.perf_counter() - start:6.1f} s  {step.name}", flush=True)
                async with changed:
                    done.add(step.name)
                    changed.notify_all()

    async with asyncio.TaskGroup() as group:
        for _ in range(connections):
            group.create_task(connection())
    return time.perf_counter() - began
