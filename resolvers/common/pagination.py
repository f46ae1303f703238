"""Opaque keyset cursors and the `first` limit shared by every connection."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from domain.errors import InvalidInput

MAX_FIRST = 100


def check_first(first: int | None, default: int = 20, field: str = "first") -> int:
    """The page size asked for (`default` when null); above 100 is INVALID_INPUT."""
    if first is None:
        return default
    if first < 0 or first > MAX_FIRST:
        raise InvalidInput(f"`first` must be between 0 and {MAX_FIRST}", field=[field])
    return first


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int = 1) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("not a valid cursor", field=["after"]) from exc
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidInput("not a valid cursor", field=["after"])
    return values
