"""The Relay Node interface and PageInfo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry


@strawberry.interface(description="An object with a global, opaque and stable id.")
class Node:
    @strawberry.field(description="Global, opaque and stable.")
    def id(self) -> strawberry.ID:
        raise NotImplementedError


@strawberry.type(description="Where a page of a connection sits in the whole list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of_keyset(cls, rows: Sequence[Any], limit: int, *, after: object, cursor_of: Callable[[Any], str]) -> PageInfo:
        """The PageInfo of a keyset page read as `limit + 1` rows (the extra one says there is a
        next page) after the cursor `after` (None: the first page)."""
        page = rows[:limit]
        return cls(
            has_next_page=len(rows) > limit,
            has_previous_page=after is not None,
            start_cursor=cursor_of(page[0]) if page else None,
            end_cursor=cursor_of(page[-1]) if page else None,
        )
