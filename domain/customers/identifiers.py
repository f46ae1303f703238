"""Normalizing an identifier of any kind (dispatch over domain.customers.normalize)."""

from __future__ import annotations

from domain.customers.normalize import normalize_email, normalize_member_card, normalize_phone


def normalize_identifier(kind: str, value: str, default_region: str) -> str:
    """The matching form of `value`; raises ValueError (InvalidIdentifier) when it is not valid."""
    if kind == "EMAIL":
        return normalize_email(value)
    if kind == "PHONE":
        return normalize_phone(value, default_region)
    if kind == "MEMBER_CARD":
        return normalize_member_card(value)
    if kind == "EXTERNAL_ID":
        channel, sep, external_id = value.partition(":")
        if not sep or not external_id.strip():
            raise ValueError("an EXTERNAL_ID is written CHANNEL:externalId")
        return f"{channel.strip().upper()}:{external_id.strip()}"
    raise ValueError(f"unknown identifier kind {kind}")
