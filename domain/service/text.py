"""Checks of the free text and names staff type into the desk (message bodies, notes, owners)."""

from __future__ import annotations

from domain.errors import InvalidInput

MAX_BODY = 20_000
MAX_NOTE = 4_000
MAX_SUBJECT_NAME = 200  # a staff subject (assignee)
MAX_TEAM = 100


def _has_control(value: str) -> bool:
    return any(ord(c) < 32 and c not in "\n\r\t" for c in value)


def free_text(value: str, *, limit: int, field: list[str]) -> str:
    """A message body or note: not blank, at most `limit` characters, no NUL or other control
    characters besides line breaks and tabs. The error never quotes the value (personal data)."""
    if not value.strip():
        raise InvalidInput("the text must not be blank", field=field)
    if len(value) > limit:
        raise InvalidInput(f"the text may have at most {limit} characters", field=field)
    if _has_control(value):
        raise InvalidInput("the text contains control characters", field=field)
    return value


def name(value: str | None, *, limit: int, field: list[str]) -> str | None:
    """A staff subject or team name, trimmed; None (or blank) stays None (unassigned)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > limit or _has_control(value):
        raise InvalidInput(f"must have at most {limit} printable characters", field=field)
    return value
