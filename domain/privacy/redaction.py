"""Removing an erased person's values from text and JSON documents kept about them (ticket
subjects, feedback comments, consent sources, job parameters...): pure functions.

A `Redactor` knows the values in every stored form (the email as normalized, the phone in E.164
and as its national number, the birth date in ISO form, each external id alone and as its key
`CHANNEL:externalId`) and replaces each occurrence, ignoring case: an external id or a channel
key becomes its erased placeholder (so a consent source still names its profile), any other
value becomes `[erased]`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

ERASED = "[erased]"
MIN_LENGTH = 2  # a single character would redact text that is not about anyone
_SEPARATED = r"[\s\-.()]*"  # what people write between the digits of a phone number
VALUE_FIELDS = ("display_name", "email", "phone", "member_card", "birth_date", "line1", "postal_code")


def forms(name: str, value: Any) -> set[str]:
    """A stored value in the forms it is written in (phones: see `Redactor.add_phone`)."""
    if value is None:
        return set()
    if isinstance(value, dt.date):
        return {value.isoformat()}
    return {str(value).strip()}


@dataclass
class Redactor:
    """Replaces the values of one person; `replacements` maps a value to what stands for it."""

    replacements: dict[str, str] = field(default_factory=dict)
    phones: set[str] = field(default_factory=set)  # national numbers, matched however written
    _compiled: re.Pattern[str] | None = field(default=None, repr=False)

    def add(self, value: str, replacement: str = ERASED) -> None:
        """The first replacement given for a value stays."""
        if len(value) >= MIN_LENGTH and value.casefold() not in self.replacements:
            self.replacements[value.casefold()] = replacement
            self._compiled = None

    def add_phone(self, value: str) -> None:
        """A phone in E.164: also found written with spaces, dashes or dots, with or without
        its country code (`138 0013 8000`, `+86-138-0013-8000`)."""
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            self.add(value)
            return
        self.phones.add(f"{number.country_code}:{number.national_number}")
        self._compiled = None

    def add_row(self, row: Mapping[Any, Any]) -> None:
        for name in VALUE_FIELDS:
            if name == "phone" and row.get(name):
                self.add_phone(str(row[name]))
            else:
                for form in forms(name, row.get(name)):
                    self.add(form)

    def add_key(self, channel: str, external_id: str, placeholder: str) -> None:
        self.add(f"{channel}:{external_id}", f"{channel}:{placeholder}")
        self.add(external_id, placeholder)

    def __bool__(self) -> bool:
        return bool(self.replacements or self.phones)

    def _pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            phones = []
            for phone in sorted(self.phones):
                country, _, national = phone.partition(":")
                prefix = rf"(?:(?:\+|00)?{_SEPARATED.join(country)}{_SEPARATED})?"
                phones.append(rf"(?<!\d){prefix}{_SEPARATED.join(national)}(?!\d)")
            values = sorted(self.replacements, key=len, reverse=True)  # the longest match wins
            self._compiled = re.compile("|".join([*phones, *(re.escape(v) for v in values)]), re.IGNORECASE)
        return self._compiled

    def text(self, value: str) -> str:
        if not self:
            return value
        return self._pattern().sub(lambda m: self.replacements.get(m.group(0).casefold(), ERASED), value)

    def document(self, doc: Any) -> Any:
        """A JSON document with every string (keys included) redacted."""
        if isinstance(doc, str):
            return self.text(doc)
        if isinstance(doc, list):
            return [self.document(v) for v in doc]
        if isinstance(doc, dict):
            return {self.text(k): self.document(v) for k, v in doc.items()}
        return doc


def redactor_for(
    keys: Mapping[tuple[str, str], str], rows: Iterable[Mapping[Any, Any]], identifier_values: Iterable[str]
) -> Redactor:
    """A redactor for a person: its channel keys (each with its placeholder), the personal values
    of its rows (the customer, its profiles) and its identifier values (normalized)."""
    redactor = Redactor()
    for (channel, external_id), placeholder in keys.items():
        redactor.add_key(channel, external_id, placeholder)
    for row in rows:
        redactor.add_row(row)
    for value in identifier_values:
        redactor.add(value)
    return redactor
