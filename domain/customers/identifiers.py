"""Normalizing an identifier given its kind as a string (GraphQL lookups)."""

from __future__ import annotations

from domain.customers.normalize import IdentifierKind
from domain.customers.normalize import normalize_identifier as _normalize


def normalize_identifier(kind: str, value: str, default_region: str) -> str:
    """The matching form of `value`; raises ValueError (InvalidIdentifier) when it is not valid."""
    return _normalize(IdentifierKind(kind), value, default_region)
