"""The one masking hook every personal field shares.

A personal field declares its class next to itself::

    @strawberry.field(extensions=[personal(PiiClass.EMAIL)])
    def email(self) -> str | None: ...

`PersonalField` resolves the value, asks `domain.privacy.masking.decide` how the caller sees it
(role and the customer's currently granted purposes), answers it clear, masked or null, and
records every clear value in the request's audit trail (written by `AuditWriter` at the end).
That decision is `PersonalField.shown`, which the fast executor (resolvers/execution/) calls too,
so both execution paths mask and audit with the same code.

It is cheap on purpose, because it runs once per personal value: no SQL of its own. Only roles
whose view depends on consent (MARKETER, PARTNER) read the customer's granted purposes, through
the request's `GrantedPurposesByCustomerLoader`, which batches every customer of a response into
one statement. The loader lives one request, so a withdrawal applies on the next request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryOptional

from domain.privacy.masking import PiiClass, Visibility, consent_dependent, decide, mask
from resolvers.privacy.dataloaders import GrantedPurposesByCustomerLoader

if TYPE_CHECKING:
    from resolvers.context import Context

_NO_CONSENT: frozenset[str] = frozenset()
_OPAQUE = "****"  # a hidden value of a non-null field (never a PARTNER-visible customer's)

PiiOf = PiiClass | Callable[[Any], PiiClass | None]  # None: this value is not personal
Value = str | dt.date


class PersonalField(FieldExtension):
    """Masks a personal field per the policy and audits clear reads; `pii` is the field's class,
    or a function of the source object for fields whose class depends on it (Identifier.value)."""

    def __init__(self, pii: PiiOf) -> None:
        self.pii = pii
        self.nullable = True

    def apply(self, field: Any) -> None:
        self.nullable = isinstance(field.type, StrawberryOptional)

    def _class_of(self, source: Any) -> PiiClass | None:
        return self.pii if isinstance(self.pii, PiiClass) else self.pii(source)

    def _shown(
        self, value: Value, source: Any, ctx: Context, type_name: str | None, field_name: str, granted: frozenset[str]
    ) -> Value | None:
        pii = self._class_of(source)
        if pii is None:
            return value
        visibility = decide(pii, ctx.caller.role, granted)
        if visibility is Visibility.CLEAR:
            if value != "" and source.customer_id is not None:
                ctx.audit.record(int(source.customer_id), f"{type_name}.{field_name}")
            return value
        if visibility is Visibility.MASKED:
            return mask(pii, str(value))
        return None if self.nullable else _OPAQUE

    async def _after_consents(
        self, value: Value, source: Any, ctx: Context, type_name: str | None, field_name: str
    ) -> Value | None:
        customer_id = source.customer_id
        granted = _NO_CONSENT  # unknown customer: the strictest view
        if customer_id is not None:
            granted = await ctx.loader(GrantedPurposesByCustomerLoader).load(int(customer_id))
        return self._shown(value, source, ctx, type_name, field_name, granted)

    def shown(self, value: Any, source: Any, ctx: Context, type_name: str | None, field_name: str) -> Any:
        """How the caller sees `value`, the field `type_name.field_name` of `source`: the value,
        masked, null or opaque, or an awaitable of that when the customer's consents are not
        loaded yet. Records a clear value in the audit trail. The one decision of every path
        (this extension and the fast executor, resolvers/execution/)."""
        if value is None:
            return None
        if consent_dependent(ctx.caller.role):
            customer_id = source.customer_id
            known = ctx.loader(GrantedPurposesByCustomerLoader).known
            granted = _NO_CONSENT if customer_id is None else known.get(int(customer_id))
            if granted is None:
                return self._after_consents(value, source, ctx, type_name, field_name)  # awaited by graphql-core
            return self._shown(value, source, ctx, type_name, field_name, granted)
        return self._shown(value, source, ctx, type_name, field_name, _NO_CONSENT)

    def _decide(self, value: Any, source: Any, info: strawberry.Info) -> Any:
        return self.shown(value, source, info.context, info.path.typename, info.field_name)

    # `root`, not `source`: setConsent has a GraphQL argument named `source`.
    def resolve(self, next_: Callable[..., Any], root: Any, info: strawberry.Info, **kwargs: Any) -> Any:  # type: ignore[override]
        return self._decide(next_(root, info, **kwargs), root, info)

    # `root`, not `source`: setConsent has a GraphQL argument named `source`.
    async def resolve_async(  # type: ignore[override]
        self, next_: Callable[..., Awaitable[Any]], root: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        shown = self._decide(await next_(root, info, **kwargs), root, info)
        return await shown if isinstance(shown, Awaitable) else shown


def personal(pii: PiiOf) -> PersonalField:
    """The extension that makes a field personal data of class `pii` (see module docstring)."""
    return PersonalField(pii)
