"""Roster files: reading and checking .csv and .xlsx rows, and writing them back.

The columns are `district,street,street_kind,village_code,village,secretary,gender,phone,since`.
Row numbers are the spreadsheet's: the header is row 1, the first secretary row 2. Nothing here
touches the database; `villages.services` compares the rows with what is stored.
"""

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

COLUMNS = (
    "district",
    "street",
    "street_kind",
    "village_code",
    "village",
    "secretary",
    "gender",
    "phone",
    "since",
)
MAX_LENGTH = {
    "district": 100,
    "street": 100,
    "village_code": 32,
    "village": 100,
    "secretary": 50,
    "phone": 20,
}
STREET_KINDS = ("street", "development_zone", "center")
GENDERS = {
    "male": "male",
    "m": "male",
    "男": "male",
    "female": "female",
    "f": "female",
    "女": "female",
}
MAX_ROWS = 20_000

# A cell a spreadsheet program would run as a formula. Exports put an apostrophe in front;
# imports take it off again, so that export → import changes nothing.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE = re.compile(r"^[0-9A-Za-z_-]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class RosterRow:
    line: int
    district: str
    street: str
    street_kind: str
    village_code: str
    village: str
    secretary: str
    gender: str
    phone: str
    since: dt.date

    @property
    def secretary_key(self) -> tuple[str, str]:
        return (self.secretary, self.phone)


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: `line` is None for the file as a whole."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return _("File: %(message)s") % {"message": self.message}
        return _("Row %(line)s, column %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class RosterInvalid(Exception):
    """The file cannot be imported; `errors` says every reason, one per bad row."""

    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors

    @classmethod
    def about_file(cls, message: str) -> "RosterInvalid":
        return cls([RowError(None, "", message)])


def escape_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def unescape_formula(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _cell_text(value: object) -> str:
    """A cell as text, whatever type the spreadsheet gave it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        # Excel stores long digit strings such as phone numbers and codes as numbers.
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unescape_formula(str(value).strip())


def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterInvalid.about_file(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8”.")
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for record in reader:
            yield reader.line_num, record
    except csv.Error as exc:
        raise RosterInvalid(
            [RowError(reader.line_num, "", _("The CSV is malformed: %(error)s") % {"error": exc})]
        ) from exc


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    unreadable = _("The file is not a readable .xlsx workbook.")
    # A damaged workbook fails deep inside openpyxl, in many ways (zip, XML, values): every one
    # of them means the same to the person importing.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - see above
        raise RosterInvalid.about_file(unreadable) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                record = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - a row the XML reader cannot read
                raise RosterInvalid.about_file(unreadable) from exc
            number += 1
            yield number, list(record)
    finally:
        workbook.close()


def read_records(data: bytes, filename: str) -> Iterator[tuple[int, list[object]]]:
    """(row number, cells) for every row of a .csv or .xlsx file, header included."""
    name = filename.lower()
    if name.endswith(".csv"):
        return _csv_records(data)
    if name.endswith(".xlsx"):
        return _xlsx_records(data)
    raise RosterInvalid.about_file(_("Only .csv and .xlsx files can be imported."))


def _check_value(line: int, column: str, value: str, errors: list[RowError]) -> None:
    if not value:
        errors.append(RowError(line, column, _("a value is required")))
    elif _CONTROL.search(value):
        errors.append(RowError(line, column, _("contains control characters")))
    elif column in MAX_LENGTH and len(value) > MAX_LENGTH[column]:
        errors.append(
            RowError(
                line,
                column,
                _("is longer than %(max)s characters") % {"max": MAX_LENGTH[column]},
            )
        )


def _parse_row(line: int, cells: dict[str, str], errors: list[RowError]) -> RosterRow | None:
    before = len(errors)
    for column in COLUMNS:
        _check_value(line, column, cells[column], errors)
    if len(errors) > before:
        return None
    kind = cells["street_kind"].lower()
    if kind not in STREET_KINDS:
        errors.append(
            RowError(
                line,
                "street_kind",
                _("“%(value)s” is not one of %(choices)s")
                % {"value": cells["street_kind"], "choices": " / ".join(STREET_KINDS)},
            )
        )
    if not _CODE.match(cells["village_code"]):
        errors.append(
            RowError(line, "village_code", _("use only Latin letters, digits, “-” and “_”"))
        )
    gender = GENDERS.get(cells["gender"].lower())
    if gender is None:
        errors.append(
            RowError(
                line,
                "gender",
                _("“%(value)s” is not one of male / female / 男 / 女") % {"value": cells["gender"]},
            )
        )
    if not _PHONE.match(cells["phone"]):
        errors.append(
            RowError(
                line, "phone", _("“%(value)s” is not a phone number") % {"value": cells["phone"]}
            )
        )
    since = None
    if _DATE.match(cells["since"]):
        with contextlib.suppress(ValueError):
            since = dt.date.fromisoformat(cells["since"])
    if since is None:
        errors.append(
            RowError(
                line,
                "since",
                _("“%(value)s” is not a date in the form YYYY-MM-DD") % {"value": cells["since"]},
            )
        )
    if len(errors) > before:
        return None
    return RosterRow(
        line=line,
        district=cells["district"],
        street=cells["street"],
        street_kind=kind,
        village_code=cells["village_code"],
        village=cells["village"],
        secretary=cells["secretary"],
        gender=gender,
        phone=cells["phone"],
        since=since,
    )


def _check_consistency(rows: list[RosterRow], errors: list[RowError]) -> list[RosterRow]:
    """Rows contradicting an earlier row of the file are errors; exact repeats are dropped."""
    by_code: dict[str, RosterRow] = {}
    by_secretary: dict[tuple[str, str], RosterRow] = {}
    street_kind: dict[tuple[str, str], RosterRow] = {}
    kept = []
    for row in rows:
        first = by_code.get(row.village_code)
        if first is not None:
            if first.village != row.village:
                errors.append(
                    RowError(
                        row.line,
                        "village",
                        _("village code %(code)s is named “%(name)s” in row %(line)s")
                        % {"code": row.village_code, "name": first.village, "line": first.line},
                    )
                )
            elif (first.district, first.street) != (row.district, row.street):
                errors.append(
                    RowError(
                        row.line,
                        "street",
                        _("village code %(code)s is in “%(street)s” in row %(line)s")
                        % {"code": row.village_code, "street": first.street, "line": first.line},
                    )
                )
            elif first.secretary_key != row.secretary_key:
                errors.append(
                    RowError(
                        row.line,
                        "secretary",
                        _("village code %(code)s already has secretary “%(name)s” in row %(line)s")
                        % {"code": row.village_code, "name": first.secretary, "line": first.line},
                    )
                )
            elif (first.gender, first.since, first.street_kind) != (
                row.gender,
                row.since,
                row.street_kind,
            ):
                errors.append(
                    RowError(
                        row.line,
                        "village_code",
                        _("village code %(code)s is listed again, differently, in row %(line)s")
                        % {"code": row.village_code, "line": first.line},
                    )
                )
            continue
        by_code[row.village_code] = row
        other = by_secretary.get(row.secretary_key)
        if other is not None:
            errors.append(
                RowError(
                    row.line,
                    "secretary",
                    _(
                        "“%(name)s” (%(phone)s) is already listed for village %(code)s "
                        "in row %(line)s"
                    )
                    % {
                        "name": row.secretary,
                        "phone": row.phone,
                        "code": other.village_code,
                        "line": other.line,
                    },
                )
            )
            continue
        by_secretary[row.secretary_key] = row
        street = street_kind.setdefault((row.district, row.street), row)
        if street.street_kind != row.street_kind:
            errors.append(
                RowError(
                    row.line,
                    "street_kind",
                    _("street “%(street)s” is of kind %(kind)s in row %(line)s")
                    % {"street": row.street, "kind": street.street_kind, "line": street.line},
                )
            )
            continue
        kept.append(row)
    return kept


def parse_roster(data: bytes, filename: str) -> list[RosterRow]:
    """Every row of a roster file, checked; raises RosterInvalid naming each bad row."""
    records = read_records(data, filename)
    errors: list[RowError] = []
    header_line, header = next(
        ((n, r) for n, r in records if any(_cell_text(c) for c in r)), (None, None)
    )
    if header is None:
        raise RosterInvalid.about_file(_("The file is empty."))
    names = [_cell_text(c).lower() for c in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise RosterInvalid(
            [
                RowError(header_line, column, _("the header has no such column"))
                for column in missing
            ]
        )
    index = {column: names.index(column) for column in COLUMNS}
    rows = []
    for line, record in records:
        cells = [_cell_text(c) for c in record]
        if not any(cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise RosterInvalid(
                [RowError(line, "", _("more than %(max)s rows") % {"max": MAX_ROWS})]
            )
        values = {c: cells[i] if i < len(cells) else "" for c, i in index.items()}
        row = _parse_row(line, values, errors)
        if row is not None:
            rows.append(row)
    rows = _check_consistency(rows, errors)
    if not rows and not errors:
        errors.append(RowError(None, "", _("The file has a header but no rows.")))
    if errors:
        raise RosterInvalid(sorted(errors, key=lambda e: (e.line or 0, e.column)))
    return rows


def roster_csv(rows: Iterable[dict[str, str]]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read Chinese correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([escape_formula(row[c]) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def roster_xlsx(rows: Iterable[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(gettext_lazy("Roster")))
    sheet.append(COLUMNS)
    for row in rows:
        # Every cell is text: a code or phone number must not become a number or a formula.
        sheet.append([escape_formula(row[c]) for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
