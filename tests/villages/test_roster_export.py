import csv
import io

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from tests.villages.rosterfiles import row, write
from tests.villages.test_roster_import import snapshot
from villages.roster import COLUMNS

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(tmp_path):
    rows = [
        row(),
        row(village_code="370703003002", village="东村", secretary="王勇", phone="13800000002"),
        # A phone number that a spreadsheet would take for a formula.
        row(
            village_code="370703003003",
            village="西村",
            secretary="李娟",
            gender="female",
            phone="+86 138 0000 0003",
        ),
        row(
            village_code="370703003004",
            village='=HYPERLINK("x")村',
            secretary="赵强",
            phone="13800000004",
        ),
    ]
    call_command("import_roster", str(write(tmp_path / "in.csv", rows)))
    return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(tmp_path, capsys, roster, fmt):
    path = tmp_path / f"out.{fmt}"
    call_command("export_roster", str(path))
    before = snapshot()

    capsys.readouterr()
    with translation.override("en"):
        call_command("import_roster", str(path))

    assert snapshot() == before
    assert "4 rows read; nothing to change." in capsys.readouterr().out


def test_export_csv_writes_the_import_columns_and_escapes_formulas(tmp_path, roster):
    path = tmp_path / "out.csv"
    call_command("export_roster", str(path))

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read Chinese
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(records[0].keys()) == COLUMNS
    by_code = {r["village_code"]: r for r in records}
    assert by_code["370703003001"] == roster[0]
    assert by_code["370703003003"]["phone"] == "'+86 138 0000 0003"
    assert by_code["370703003004"]["village"] == '\'=HYPERLINK("x")村'


def test_export_xlsx_holds_text_cells_only(tmp_path, roster):
    path = tmp_path / "out.xlsx"
    call_command("export_roster", str(path))

    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert len(rows) == 5
    cells = [cell for line in sheet.iter_rows(min_row=2) for cell in line]
    assert {cell.data_type for cell in cells} == {"s"}  # no formula, no number
    assert ("370703003004", '\'=HYPERLINK("x")村') in {(r[3], r[4]) for r in rows}
