"""Who is asking: the authenticated subject, its role and the purpose it declared."""

from __future__ import annotations

from dataclasses import dataclass

from domain.privacy.roles import Role


@dataclass(frozen=True)
class Caller:
    subject: str
    role: Role
    purpose: str | None = None
    via_api_key: bool = False
