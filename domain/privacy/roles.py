"""The five caller roles of the contract."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    ADMIN = "ADMIN"
    SUPPORT_AGENT = "SUPPORT_AGENT"
    MARKETER = "MARKETER"
    ANALYST = "ANALYST"
    PARTNER = "PARTNER"
