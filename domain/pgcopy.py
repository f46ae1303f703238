"""Numeric columns between numpy and PostgreSQL through binary COPY (asyncpg), for bulk jobs.

A million rows as Python tuples cost seconds to build and to take apart; in the binary COPY format
a row of fixed-width fields is a fixed-size record (a 16-bit field count, then per field a 32-bit
length and the big-endian value), so numpy reads or writes the whole stream as one structured
array. Only non-null BIGINT and DOUBLE PRECISION fields: callers write NULL as a sentinel they
translate in SQL (e.g. `NULLIF`), and read NULL through `COALESCE`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.ext.asyncio import AsyncConnection

_SIGNATURE: Final = b"PGCOPY\n\xff\r\n\x00"
_HEADER: Final = _SIGNATURE + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # no flags, no header extension
_TRAILER: Final = b"\xff\xff"


def _record(kinds: Sequence[str]) -> np.dtype[Any]:
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for i, kind in enumerate(kinds):
        fields += [(f"length{i}", ">i4"), (f"value{i}", f">{kind}8")]
    return np.dtype(fields)


async def _driver(conn: AsyncConnection) -> Any:
    raw = await conn.get_raw_connection()
    return raw.driver_connection


async def fetch_int64_columns(conn: AsyncConnection, query: str, args: Sequence[Any], width: int) -> NDArray[np.int64]:
    """The rows of `query` ($1, $2... placeholders) as an (rows, width) int64 array; every column
    must be a non-null BIGINT (cast and COALESCE in the query)."""
    chunks: list[bytes] = []

    async def collect(chunk: bytes) -> None:
        chunks.append(chunk)

    await (await _driver(conn)).copy_from_query(query, *args, output=collect, format="binary")
    data = b"".join(chunks)
    record = _record("i" * width)
    header = len(_HEADER) + int.from_bytes(data[15:19], "big") if data.startswith(_SIGNATURE) else -1
    body = len(data) - header - len(_TRAILER)
    if header < 0 or body < 0 or body % record.itemsize or not data.endswith(_TRAILER):
        raise ValueError("unexpected COPY stream: expected non-null BIGINT columns only")
    rows = np.frombuffer(data, dtype=record, count=body // record.itemsize, offset=header)
    if np.any(rows["count"] != width) or any(np.any(rows[f"length{i}"] != 8) for i in range(width)):
        raise ValueError("unexpected COPY stream: expected non-null BIGINT columns only")
    out = np.empty((rows.size, width), dtype=np.int64)
    for i in range(width):
        out[:, i] = rows[f"value{i}"]
    return out


async def copy_columns_to_table(conn: AsyncConnection, table: str, columns: Mapping[str, NDArray[Any]]) -> None:
    """COPY equally long int64 / float64 arrays into `table` (its columns BIGINT / DOUBLE PRECISION)."""
    names = list(columns)
    arrays = [np.asarray(columns[n]) for n in names]
    kinds = ["f" if a.dtype.kind == "f" else "i" for a in arrays]
    size = arrays[0].size if arrays else 0
    rows = np.empty(size, dtype=_record(kinds))
    rows["count"] = len(names)
    for i, (array, kind) in enumerate(zip(arrays, kinds, strict=True)):
        if array.shape != (size,) or array.dtype.kind not in "iuf":
            raise ValueError(f"column {names[i]}: expected {size} numbers")
        rows[f"length{i}"] = 8
        rows[f"value{i}"] = array.astype(np.float64 if kind == "f" else np.int64, copy=False)
    source = io.BytesIO(_HEADER + rows.tobytes() + _TRAILER)
    await (await _driver(conn)).copy_to_table(table, source=source, columns=names, format="binary")
