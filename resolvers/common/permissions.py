"""Role gates declared on fields and mutations, and domain errors turned into payload errors.

`@guarded_mutation(WRITE_ORDERS)` answers a payload whose `errors` says FORBIDDEN when the role
may not run it, and turns any DomainError raised inside into `errors` with its code. Query
fields use `roles_allowed(...)`, which answers a GraphQL error with `extensions.code` FORBIDDEN.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from domain.errors import DomainError
from domain.privacy.roles import STAFF_ROLES, Role
from resolvers.common.errors import UserError, forbidden

ALL = frozenset(Role)
INGEST = frozenset({Role.ADMIN, Role.PARTNER})
MERGE = CONSENTS = TICKETS = frozenset({Role.ADMIN, Role.SUPPORT_AGENT})
FEEDBACK = POINTS = frozenset({Role.ADMIN, Role.SUPPORT_AGENT, Role.PARTNER})
SEGMENTS = frozenset({Role.ADMIN, Role.MARKETER, Role.ANALYST})
REFRESH_SCORES = frozenset({Role.ADMIN, Role.ANALYST})
ERASURE = AUDIT_LOG = frozenset({Role.ADMIN})
EXPORT = frozenset({Role.ADMIN, Role.SUPPORT_AGENT})
STAFF = STAFF_ROLES


def _payload_class(field: Any) -> type[Any]:
    field_type = field.type
    definition = getattr(field_type, "__strawberry_definition__", None)
    if not isinstance(definition, StrawberryObjectDefinition):
        raise TypeError(f"{field.name} must return a payload type")
    return field_type  # type: ignore[no-any-return]


class PayloadErrors(FieldExtension):
    """Gate a mutation by role and report domain errors as the payload's `errors`."""

    def __init__(self, roles: frozenset[Role], action: str) -> None:
        self.roles = roles
        self.action = action
        self.field: Any = None

    def apply(self, field: StrawberryField) -> None:
        self.field = field  # the mutation field, whose type is the payload to answer

    # `root`, not `source`: setConsent has a GraphQL argument named `source`.
    async def resolve_async(  # type: ignore[override]
        self, next_: Callable[..., Awaitable[Any]], root: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        payload = _payload_class(self.field)
        if info.context.caller.role not in self.roles:
            return payload(errors=[forbidden(self.action)])
        try:
            return await next_(root, info, **kwargs)
        except DomainError as error:
            return payload(errors=[UserError.from_domain(error)])


class RolesAllowed(FieldExtension):
    """Gate a query field by role: other roles get a FORBIDDEN GraphQL error."""

    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles

    def _check(self, info: strawberry.Info) -> None:
        if info.context.caller.role not in self.roles:
            raise GraphQLError(f"your role may not read {info.field_name}", extensions={"code": "FORBIDDEN"})

    # `root`, not `source`: setConsent has a GraphQL argument named `source`.
    def resolve(self, next_: Callable[..., Any], root: Any, info: strawberry.Info, **kwargs: Any) -> Any:  # type: ignore[override]
        self._check(info)
        return next_(root, info, **kwargs)

    # `root`, not `source`: setConsent has a GraphQL argument named `source`.
    async def resolve_async(  # type: ignore[override]
        self, next_: Callable[..., Awaitable[Any]], root: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        self._check(info)
        return await next_(root, info, **kwargs)


def guarded_mutation(roles: frozenset[Role], action: str, description: str | None = None) -> Any:
    return strawberry.mutation(extensions=[PayloadErrors(roles, action)], description=description)


def roles_allowed(roles: frozenset[Role]) -> list[FieldExtension]:
    return [RolesAllowed(roles)]
