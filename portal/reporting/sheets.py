"""A sheet of the event archive: named fields written as CSV (headers in the reader's language)
and JSON (stable keys), with any confirmation or ticket code in the text put out of use.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import select

from portal import exports
from portal.extensions import db
from portal.models import Registration


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    value: Callable[[Any], Any]


class CodeRedactor:
    """Puts "guest <no.>" wherever a text holds one of the event's confirmation or ticket codes."""

    def __init__(self, event):
        self.names: dict[str, str] = {}
        for registration_id, confirmation, ticket in db.session.execute(
                select(Registration.id, Registration.confirmation_code, Registration.ticket_code)
                .where(Registration.event_id == event.id)):
            for code in (confirmation, ticket):
                if code:
                    self.names[code.upper()] = f"guest {registration_id}"
        # Longest first, so a code inside a longer one never leaves a piece behind.
        codes = sorted(self.names, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(c) for c in codes), re.IGNORECASE) if codes else None

    def __call__(self, value):
        if self.pattern is None or not isinstance(value, str):
            return value
        return self.pattern.sub(lambda match: self.names[match.group(0).upper()], value)


def _no_redaction(value):
    return value


@dataclass
class Sheet:
    name: str
    fields: list[Field]
    rows: list

    def _fields(self, redact):
        return [Field(f.key, f.header, (lambda value: lambda row: redact(value(row)))(f.value)) for f in self.fields]

    def csv(self, redact=_no_redaction) -> bytes:
        headers, values = exports.table([exports.Column(f.header, f.value) for f in self._fields(redact)], self.rows)
        return exports.csv_bytes(headers, values)

    def json(self, redact=_no_redaction) -> bytes:
        records = [{f.key: _json_value(f.value(row)) for f in self._fields(redact)} for row in self.rows]
        return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def _json_value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def clock(event):
    """A UTC time as the event's wall clock, for a spreadsheet."""
    return lambda value: value.astimezone(event.zone).replace(tzinfo=None) if value else None


def staff_name(user) -> str:
    return (user.display_name or user.email) if user else ""
