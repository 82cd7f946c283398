"""Tables for a district office, written as Excel and CSV files in the reader's language.

A table is a title, a header and rows of typed cells: `int` and `Decimal` stay numbers (Excel
sorts them; decimals show two places), `bool` becomes 是/否 (yes/no), text is escaped so that a
spreadsheet never runs it as a formula. Callers translate the header and the words in the
cells; this module only writes them, in whatever language is active.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils.http import content_disposition_header
from django.utils.translation import pgettext

from villages.roster import escape_formula

TWO_PLACES = "0.00"
MIN_WIDTH, MAX_WIDTH = 6, 60  # in characters of a Latin font; long reasons wrap past it
_BAD_TITLE = re.compile(r"[\\/?*\[\]:]")  # characters Excel refuses in a sheet's name


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list]  # cells: str, int, Decimal, bool or None


def number(value: str | None) -> Decimal | None:
    """A figure of a results document ("90.00") as the number a spreadsheet sorts by."""
    return Decimal(value) if value not in (None, "") else None


def _cell(value):
    """A cell as written to a workbook: numbers as numbers, everything else as safe text."""
    if value is None:
        return None
    if isinstance(value, bool):  # before int: a bool is an int
        return pgettext("spreadsheet", "yes") if value else pgettext("spreadsheet", "no")
    if isinstance(value, int | Decimal):
        return value
    return escape_formula(str(value))


def _text(value) -> str:
    """A cell as a CSV file holds it; decimals with two places, as the document has them."""
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _width(text: str) -> int:
    """How wide a text shows: a Chinese character takes the room of two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Chinese; numbers unquoted."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_text(h) for h in table.header])
    for row in table.rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table, each with its header row frozen and filtered (the office sorts by
    any column) and each column as wide as its widest cell, within bounds."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_BAD_TITLE.sub("_", table.title)[:31] or "-")
        sheet.append([_cell(h) for h in table.header])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, Decimal | float):
                    cell.number_format = TWO_PLACES
        for index in range(len(table.header)):
            widest = max(_width(_text(r[index])) for r in [table.header, *table.rows])
            letter = get_column_letter(index + 1)
            sheet.column_dimensions[letter].width = min(max(widest, MIN_WIDTH) + 2, MAX_WIDTH)
        sheet.freeze_panes = "A2"
        if table.header:
            sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# What Windows, or a shell, would not take in a file name.
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def attachment(response, name: str, fmt: str):
    """Offer the response as a file named as its page is headed, in the reader's language: an
    office files "寒亭区排名 2026年第2季度.xlsx", not "rankings-2026Q2.xlsx". A name that is not
    ASCII travels as RFC 6266's filename*, which browsers read."""
    safe = UNSAFE_IN_NAMES.sub("-", name).strip()
    response["Content-Disposition"] = content_disposition_header(True, f"{safe}.{fmt}")
    return response
