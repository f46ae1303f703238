"""Reading one JSONL import line into the domain's input dataclasses.

A line carries the GraphQL input's field names (camelCase), so a file is a list of mutation
inputs. Reasons given for a bad line name the field and what is wrong, never the value: the
report is printed and logged, and values are personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import orjson

from domain import limits
from domain.customers.ingest import AddressData, ProfileData
from domain.errors import InvalidInput
from domain.orders.record import LineData, OrderData

T = TypeVar("T")
CHANNELS = frozenset({"WEB", "APP", "STORE", "MINI_PROGRAM", "SOCIAL", "CALL_CENTER", "MARKETPLACE"})
PURPOSES = frozenset({"MARKETING", "ANALYTICS", "PERSONALIZATION", "THIRD_PARTY_SHARING"})
PROFILE_FIELDS = frozenset(
    {
        "channel", "externalId", "displayName", "email", "phone", "memberCard",
        "birthDate", "address", "seenAt", "consents",
    }
)  # fmt: skip
ADDRESS_FIELDS = frozenset({"country", "city", "district", "line1", "postalCode"})
ORDER_FIELDS = frozenset({"channel", "externalId", "customerExternalId", "storeCode", "placedAt", "currency", "lines"})
LINE_FIELDS = frozenset({"sku", "name", "quantity", "unitPrice"})


def _object(raw: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidInput("the line is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidInput("the line must be a JSON object")
    return value


def _only(obj: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise InvalidInput(f"unknown field {where}{unknown[0]}")


def _get(obj: dict[str, Any], name: str, kind: type[T], *, required: bool = False) -> T | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"{name} is required", field=[name])
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise InvalidInput(f"{name} must be a {kind.__name__}", field=[name])
    return value


def _parsed(
    obj: dict[str, Any], name: str, parse: Callable[[str, list[str]], T], *, required: bool = False
) -> T | None:
    text = _get(obj, name, str, required=required)
    return None if text is None else parse(text, [name])


def _channel(obj: dict[str, Any]) -> str:
    channel = _get(obj, "channel", str, required=True)
    if channel not in CHANNELS:
        raise InvalidInput("channel is not one of " + ", ".join(sorted(CHANNELS)), field=["channel"])
    return channel


def parse_profile(raw: bytes) -> ProfileData:
    obj = _object(raw)
    _only(obj, PROFILE_FIELDS, "")
    address = _get(obj, "address", dict)
    if address is not None:
        _only(address, ADDRESS_FIELDS, "address.")
    consents = []
    for n, item in enumerate(_get(obj, "consents", list) or []):
        if (
            not isinstance(item, dict)
            or item.get("purpose") not in PURPOSES
            or not isinstance(item.get("granted"), bool)
        ):
            raise InvalidInput(f"consents[{n}] must be {{purpose, granted}} with a known purpose", field=["consents"])
        consents.append((str(item["purpose"]), bool(item["granted"])))
    return ProfileData(
        channel=_channel(obj),
        external_id=_get(obj, "externalId", str, required=True) or "",
        display_name=_get(obj, "displayName", str),
        email=_get(obj, "email", str),
        phone=_get(obj, "phone", str),
        member_card=_get(obj, "memberCard", str),
        birth_date=_parsed(obj, "birthDate", limits.parse_day),
        address=AddressData(
            country=_get(address, "country", str),
            city=_get(address, "city", str),
            district=_get(address, "district", str),
            line1=_get(address, "line1", str),
            postal_code=_get(address, "postalCode", str),
        )
        if address
        else None,
        seen_at=_parsed(obj, "seenAt", limits.parse_moment),
        consents=tuple(consents),
    )


def parse_order(raw: bytes) -> OrderData:
    obj = _object(raw)
    _only(obj, ORDER_FIELDS, "")
    lines = []
    for n, item in enumerate(_get(obj, "lines", list, required=True) or []):
        if not isinstance(item, dict):
            raise InvalidInput(f"lines[{n}] must be an object", field=["lines"])
        _only(item, LINE_FIELDS, f"lines[{n}].")
        lines.append(
            LineData(
                sku=_get(item, "sku", str, required=True) or "",
                name=_get(item, "name", str, required=True) or "",
                quantity=_get(item, "quantity", int, required=True) or 0,
                unit_price=limits.decimal_number(item.get("unitPrice"), ["lines", str(n), "unitPrice"]),
            )
        )
    return OrderData(
        channel=_channel(obj),
        external_id=_get(obj, "externalId", str, required=True) or "",
        customer_external_id=_get(obj, "customerExternalId", str, required=True) or "",
        placed_at=_parsed(obj, "placedAt", limits.parse_moment, required=True) or dt.datetime.now(dt.UTC),
        lines=tuple(lines),
        store_code=_get(obj, "storeCode", str),
        currency=_get(obj, "currency", str) or "CNY",
    )
