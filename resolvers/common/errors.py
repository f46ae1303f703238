"""UserError and the error-code enum; domain errors become errors in this one place."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.errors import ErrorCode as DomainErrorCode

ErrorCode = DomainErrorCode
strawberry.enum(DomainErrorCode, name="ErrorCode", description="Why a request was refused.")


@strawberry.type(description="A problem with the input or the request, as data.")
class UserError:
    code: ErrorCode
    message: str
    field: list[str] | None = None

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(code=error.code, message=error.message, field=error.field)


def forbidden(action: str) -> UserError:
    return UserError(code=DomainErrorCode.FORBIDDEN, message=f"your role may not {action}")
