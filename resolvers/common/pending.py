"""A clear answer for contract fields whose implementation has not landed yet (see README)."""

from __future__ import annotations

from typing import NoReturn

from graphql import GraphQLError


def not_implemented(name: str) -> NoReturn:
    raise GraphQLError(f"{name} is not implemented yet", extensions={"code": "NOT_IMPLEMENTED"})
