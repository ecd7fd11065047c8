"""Lists as files: the same rows as CSV and as an Excel workbook, headers in the reader's language.

Hotels, drivers and caterers work from spreadsheets, so every staff list can be
downloaded both ways. A board builds its columns once and hands them here:

    columns = [
        exports.Column(_("Guest"), lambda r: r.registration.name_latin),
        exports.Column(_("Check-in date"), lambda r: r.check_in),          # a date stays a date in Excel
    ]
    return exports.download(fmt, "rooming-list", columns, rows, title=_("Rooming list"))

`fmt` is "csv" or "xlsx" (anything else is a 404). Headers are translated by the
caller (gettext in the request's language, so the exporting user's language).
Values may be text, numbers, Decimals, dates or naive datetimes; an aware
datetime is written in UTC unless the caller converts it to the event's clock
first (staff read the venue's time: convert with `.astimezone(event.zone)`).

Cells that a spreadsheet would run as a formula (text starting with "=", "@" or
"+"/"-" followed by more than a number) are written as plain text, so a guest's
note can never become a formula on the coordinator's machine.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable

from flask import Response, abort
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
# Whole Content-Type values: given as a mimetype, a text/ type would get a second charset from Werkzeug.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# "+86 138 0000 0000" or "-12.5" are data; "+SUM(A1)" or "-cmd|..." are not.
_NUMBER_LIKE = re.compile(r"^[+-][\d\s().,-]*$")
_FORMULA_START = ("=", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column: its (already translated) header and how to read its value from a row."""

    header: Any
    value: Callable[[Any], Any]


def _is_formula_like(text: str) -> bool:
    if text.startswith(_FORMULA_START):
        return True
    return text[:1] in ("+", "-") and not _NUMBER_LIKE.match(text)


def _plain(value):
    """A value as a spreadsheet cell should hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        # openpyxl refuses aware datetimes; the caller should already have converted.
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, Decimal, date)):
        return value
    return str(value)


def table(columns: list[Column], rows: Iterable) -> tuple[list[str], list[list]]:
    """Headers and cell values, computed once for either format."""
    return [str(c.header) for c in columns], [[_plain(c.value(row)) for c in columns] for row in rows]


def csv_bytes(headers: list[str], values: list[list]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in values:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if _is_formula_like(text) else text


def xlsx_bytes(headers: list[str], values: list[list], title: str = "Sheet") -> bytes:
    """One worksheet: a bold, frozen header row, then the values with their types kept."""
    workbook = Workbook()
    sheet = workbook.active
    # Excel allows 31 characters and no []:*?/\ in a sheet title.
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31] or "Sheet"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in headers]
    for row_number, row in enumerate(values, start=2):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            widths[column_number - 1] = max(widths[column_number - 1], min(len(str(value)), 60))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def download(fmt: str, filename: str, columns: list[Column], rows: Iterable, title: str = "") -> Response:
    """The rows as an attachment in `fmt` ("csv" or "xlsx"); any other format is a 404."""
    if fmt not in FORMATS:
        abort(404)
    headers, values = table(columns, rows)
    body = csv_bytes(headers, values) if fmt == "csv" else xlsx_bytes(headers, values, title or filename)
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename).strip("-") or "export"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_name}.{fmt}"'
    # Guest lists are personal data: no shared cache keeps a copy.
    response.headers["Cache-Control"] = "private, no-store"
    return response
