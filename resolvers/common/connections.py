"""Building a connection page from the first + 1 rows a per-customer loader returned.

Cursors of newest-first lists encode (time, id); they stay correct while rows are inserted
(a new row sorts before or after the cursor, never shifts it).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from domain.errors import InvalidInput
from domain.paging import Filters, PerCustomerPages
from resolvers.common.loaders import CountsByCustomerLoader, PageKey
from resolvers.common.node import PageInfo
from resolvers.common.pagination import check_first, decode_cursor
from resolvers.context import Context

N = TypeVar("N")
Count = Callable[[Context], Awaitable[int]]


def time_cursor(at: dt.datetime, pk: int) -> str:
    """`encode_cursor(at in UTC, ISO-8601, pk)`, the same text without json (an ISO-8601 string
    needs no escaping): every edge of a page gets one, ~3x faster this way."""
    text = f'["{at.astimezone(dt.UTC).isoformat()}",{int(pk)}]'
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_time_cursor(after: str | None) -> tuple[dt.datetime, int] | None:
    values = decode_cursor(after, arity=2)
    if values is None:
        return None
    at, pk = values
    try:
        if not isinstance(pk, int) or not isinstance(at, str):
            raise ValueError(after)
        parsed = dt.datetime.fromisoformat(at)
    except ValueError as exc:
        raise InvalidInput("not a valid cursor", field=["after"]) from exc
    if parsed.tzinfo is None:
        raise InvalidInput("not a valid cursor", field=["after"])
    return parsed.astimezone(dt.UTC), pk


@dataclass(frozen=True)
class PageRequest:
    """A validated `first`/`after` and the filters, as the loader keys and the page need them."""

    first: int
    after: tuple[dt.datetime, int] | None
    filters: Filters

    @classmethod
    def of(cls, first: int | None, after: str | None, **filters: Any) -> PageRequest:
        """Validated once per distinct arguments: a list asks the same page of every customer
        (`orders(first: 5)` of 50 customers is one PageRequest, not 50)."""
        return _page_request(first, after, tuple(filters.items()))

    def key(self, customer_id: int) -> PageKey:
        return (customer_id, self.first + 1, self.after, self.filters)

    def counter(self, loader: type[CountsByCustomerLoader], customer_id: int) -> Count:
        """totalCount, loaded (in one grouped statement per filters) only when it is selected."""

        async def count(ctx: Context) -> int:
            return await ctx.loader(loader).load((customer_id, self.filters))

        return count


@functools.lru_cache(maxsize=1024)
def _page_request(first: int | None, after: str | None, filters: tuple[tuple[str, Any], ...]) -> PageRequest:
    return PageRequest(check_first(first), decode_time_cursor(after), PerCustomerPages.filters_of(**dict(filters)))


def page_of(
    rows: Sequence[Any], request: PageRequest, time_column: str, wrap: Callable[[Any], N]
) -> tuple[list[N], PageInfo]:
    """The nodes of the page and its PageInfo (the edges' own cursors: `edge_cursor`)."""
    page = rows[: request.first]
    return [wrap(r) for r in page], PageInfo.of_keyset(
        rows, request.first, after=request.after, cursor_of=lambda r: time_cursor(getattr(r, time_column), r.id)
    )


def edge_cursor(time_column: str) -> Callable[[Any], str]:
    """The `cursor` resolver of a newest-first edge whose node was built from a row
    (`node.row`): computed only when a query selects it, most list reads do not."""

    def cursor(self: Any) -> str:
        row = self.node.row
        return time_cursor(getattr(row, time_column), row.id)

    return cursor
