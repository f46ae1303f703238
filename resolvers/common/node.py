"""The Relay Node interface and PageInfo."""

from __future__ import annotations

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
