"""What a merge asks of the other areas, as handlers each area registers (its `on_merge.py`).

A merge of `others` into `survivor` runs in three steps, each over the handlers in the order
they are listed in `domain/on_merge.py`: every handler's `follow` tables have their rows moved to
the survivor; `absorbed` drops or folds the others' per-customer state (before the others'
customer rows go); `merged` recomputes the survivor's state once the merge is recorded. The
customers area itself keeps only its own tables (profiles, identifiers, redirects, events).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

# (connection, survivor, others)
Hook = Callable[[AsyncConnection, int, Sequence[int]], Awaitable[None]]


@dataclass(frozen=True)
class MergeHandler:
    area: str
    follow: tuple[Table, ...] = ()  # rows that move to the survivor
    state: tuple[Table, ...] = ()  # per-customer state its hooks drop or fold instead
    absorbed: Hook | None = None  # after the rows moved, before the others' customer rows go
    merged: Hook | None = None  # after the merge is recorded: recompute the survivor

    def __post_init__(self) -> None:
        for table in self.follow + self.state:
            if "customer_id" not in table.c:
                raise ValueError(f"{table.name} has no customer_id to follow a merge with")


_HANDLERS: dict[str, MergeHandler] = {}


def register(handler: MergeHandler) -> MergeHandler:
    """Add an area's handler (once per area; registering again replaces it in place)."""
    _HANDLERS[handler.area] = handler
    return handler


def merge_handlers() -> tuple[MergeHandler, ...]:
    """Every area's handler, in the order of `domain.on_merge.ORDER`. Importing that module makes
    sure all areas registered, whatever entry point (server, CLI, job, test) got here first."""
    order: tuple[str, ...] = importlib.import_module("domain.on_merge").ORDER
    unplaced = set(_HANDLERS) - set(order)
    if unplaced:
        raise RuntimeError(f"merge handlers without a place in domain/on_merge.py: {sorted(unplaced)}")
    return tuple(_HANDLERS[area] for area in order if area in _HANDLERS)
