"""Request-scoped DataLoaders of the segments area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from strawberry.dataloader import DataLoader

from domain.base import utcnow
from domain.segments import queries
from resolvers.common.loaders import ByIdsLoader
from resolvers.context import Context


class SegmentByIdLoader(ByIdsLoader):
    query = queries.SEGMENTS_BY_IDS


class AllSegmentsLoader(DataLoader[None, Sequence[Row[Any]]]):
    """Every saved segment, by name; loaded at most once per request (key: None)."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx

    async def _batch(self, keys: list[None]) -> list[Sequence[Row[Any]]]:
        rows = await self.ctx.rows(queries.ALL_SEGMENTS)
        return [rows for _ in keys]


class SegmentsByCustomerLoader(DataLoader[int, list[Row[Any]]]):
    """The saved segments each customer is in now: every segment's filter evaluated for the whole
    batch of customers in one UNION ALL statement (after the one that lists the segments)."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(load_fn=self._batch)
        self.ctx = ctx

    async def _batch(self, keys: list[int]) -> list[list[Row[Any]]]:
        segments = await self.ctx.loader(AllSegmentsLoader).load(None)
        member_of: dict[int, set[int]] = {key: set() for key in keys}
        if segments:
            specs = queries.specs_of(segments)
            settings = self.ctx.settings
            for statement in queries.memberships(
                specs, role=self.ctx.caller.role, default_region=settings.default_region, now=utcnow()
            ):
                for row in await self.ctx.rows(statement, {"ids": list(member_of)}):
                    member_of[row.customer_id].add(row.segment_id)
        return [[row for row in segments if row.id in member_of[key]] for key in keys]
