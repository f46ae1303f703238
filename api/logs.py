"""Logging: structlog, configured once, one JSON object per line on stderr.

Log lines never carry a personal value in clear. Code that must mention one passes it through
`domain.privacy.masking.redact_for_log`; as a second line of defence, values logged under a
personal key (`email`, `phone`, `name`, ...) are redacted here. Errors are logged by type and
statement only (resolvers/common/error_shaping.py): driver messages can quote the values.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from domain.privacy.masking import PiiClass, redact_for_log

_PERSONAL_KEYS = {
    "name": PiiClass.NAME,
    "display_name": PiiClass.NAME,
    "email": PiiClass.EMAIL,
    "phone": PiiClass.PHONE,
    "member_card": PiiClass.IDENTIFIER,
    "identifier": PiiClass.IDENTIFIER,
    "birth_date": PiiClass.BIRTHDATE,
    "line1": PiiClass.ADDRESS_DETAIL,
    "postal_code": PiiClass.ADDRESS_DETAIL,
}
_configured = False


def redact_personal_keys(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, pii in _PERSONAL_KEYS.items():
        value = event.get(key)
        if value is not None:
            event[key] = redact_for_log(pii, str(value))
    return event


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines for structlog and the standard library alike (uvicorn, strawberry); idempotent."""
    global _configured
    if _configured:
        return
    _configured = True
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_personal_keys,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # aiosqlite logs every statement with its parameters at DEBUG: never below INFO.
    logging.getLogger("aiosqlite").setLevel(max(level, logging.INFO))
