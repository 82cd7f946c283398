"""Question files: reading and checking the rows of a .xlsx (or .csv) question bank.

Two columns, `criterion` and `question`, under a header row; the criterion is the item's code
or its name, in Chinese or English. Rows are read with the roster's reader (the same library
and the same row numbers: the header is row 1). Nothing here touches the database.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from villages.roster import RosterInvalid, RowError, read_records, unescape_formula

COLUMNS = ("criterion", "question")
HEADERS = {"criterion": ("criterion", "考核项目", "项目"), "question": ("question", "题目", "问题")}
MAX_ROWS = 2000
MAX_LENGTH = 500


@dataclass(frozen=True)
class QuestionRow:
    line: int
    criterion_code: str
    text: str


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(unescape_formula(str(value)).split())


def parse_questions(
    data: bytes, filename: str, criteria: dict[str, tuple[str, ...]]
) -> list[QuestionRow]:
    """Every row of a question file, checked against the competition's criteria (code → the
    names it goes by, the one to show first); raises RosterInvalid naming each bad row, so
    that nothing is imported when one row is wrong."""
    by_name = {name.strip().lower(): code for code, names in criteria.items() for name in names}
    by_name |= {code.lower(): code for code in criteria}
    # An unknown criterion is told the names the file may use, in the reader's language.
    known = pgettext("list separator", ", ").join(
        names[0] if names else code for code, names in criteria.items()
    )
    records = read_records(data, filename)
    header_line, header = next(((n, r) for n, r in records if any(_text(c) for c in r)), (0, None))
    if header is None:
        raise RosterInvalid.about_file(_("The file is empty."))
    names = [_text(c).lower() for c in header]
    index, missing = {}, []
    for column, accepted in HEADERS.items():
        found = [i for i, name in enumerate(names) if name in accepted]
        if found:
            index[column] = found[0]
        else:
            missing.append(column)
    if missing:
        raise RosterInvalid(
            [
                RowError(
                    header_line, " / ".join(HEADERS[c][:2]), _("the header has no such column")
                )
                for c in missing
            ]
        )
    # A row's error names its column as the file's header does (考核项目, or criterion).
    shown = {column: _text(header[i]) for column, i in index.items()}
    rows: list[QuestionRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, record in records:
        cells = [_text(c) for c in record]
        if not any(cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise RosterInvalid(
                [RowError(line, "", _("more than %(max)s rows") % {"max": MAX_ROWS})]
            )
        value = {c: cells[i] if i < len(cells) else "" for c, i in index.items()}
        code = by_name.get(value["criterion"].lower())
        text = value["question"]
        bad = len(errors)
        if not value["criterion"]:
            errors.append(RowError(line, shown["criterion"], _("a value is required")))
        elif code is None:
            errors.append(
                RowError(
                    line,
                    shown["criterion"],
                    _("“%(value)s” is not one of this competition's criteria (%(known)s)")
                    % {"value": Truncator(value["criterion"]).chars(40), "known": known},
                )
            )
        if not text:
            errors.append(RowError(line, shown["question"], _("a value is required")))
        elif len(text) > MAX_LENGTH:
            errors.append(
                RowError(
                    line,
                    shown["question"],
                    _("is longer than %(max)s characters") % {"max": MAX_LENGTH},
                )
            )
        elif text in seen:
            errors.append(
                RowError(line, shown["question"], _("repeats row %(line)s") % {"line": seen[text]})
            )
        if len(errors) == bad:
            seen[text] = line
            rows.append(QuestionRow(line, code, text))
    if not rows and not errors:
        errors.append(RowError(None, "", _("The file has a header but no rows.")))
    if errors:
        raise RosterInvalid(sorted(errors, key=lambda e: (e.line or 0, e.column)))
    return rows
