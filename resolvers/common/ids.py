"""Relay global ids: opaque (base64 of "Type:pk"), stable, decoded in one place."""

from __future__ import annotations

import base64
import binascii

from domain import limits
from domain.errors import InvalidInput

_URLSAFE = bytes.maketrans(b"+/", b"-_")


def encode_id(type_name: str, pk: int) -> str:
    """urlsafe base64 of "Type:pk" without padding (binascii directly: one per object of a list)."""
    raw = binascii.b2a_base64(f"{type_name}:{pk}".encode(), newline=False)
    return raw.translate(_URLSAFE).rstrip(b"=").decode()


def decode_any(global_id: str, field: str = "id") -> tuple[str, int]:
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return type_name, limits.record_id(int(raw), [field])
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("not a valid id", field=[field]) from exc


def decode_id(global_id: str, expected: str, field: str = "id") -> int:
    type_name, pk = decode_any(global_id, field)
    if type_name != expected:
        raise InvalidInput(f"expected a {expected} id", field=[field])
    return pk
