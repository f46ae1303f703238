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

import orjson
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


class _NamedWriteLogger(structlog.WriteLogger):
    """structlog's plain writer (one write and flush per line), with the name
    `add_logger_name` reads."""

    def __init__(self, name: str) -> None:
        super().__init__(sys.stderr)
        self.name = name


def _named_logger(*args: Any) -> _NamedWriteLogger:
    return _NamedWriteLogger(str(args[0]) if args else "c360")


def _orjson_dumps(event: Any, default: Any = None) -> str:
    return orjson.dumps(event, default=default or repr, option=orjson.OPT_NON_STR_KEYS).decode()


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines for structlog and the standard library alike (uvicorn, strawberry); idempotent.

    structlog's own events skip the standard library (a filtering logger drops what is below
    `level` at the call, orjson renders, one write per line): a line per request costs a few
    microseconds instead of tens. Standard library records go through the same processors."""
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
        processors=[*shared, structlog.processors.format_exc_info, structlog.processors.JSONRenderer(_orjson_dumps)],
        logger_factory=_named_logger,
        wrapper_class=structlog.make_filtering_bound_logger(level),
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
