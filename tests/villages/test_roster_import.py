import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.villages.rosterfiles import row, write
from villages.models import District, Secretary, Street, Tenure, Village

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]


def snapshot() -> tuple:
    """Everything the roster import may write, comparable before and after."""
    return (
        sorted(District.objects.values_list("id", "name")),
        sorted(Street.objects.values_list("id", "district_id", "name", "kind")),
        sorted(Village.objects.values_list("id", "street_id", "code", "name", "active")),
        sorted(Secretary.objects.values_list("id", "name", "gender", "phone")),
        sorted(Tenure.objects.values_list("id", "secretary_id", "village_id", "start", "end")),
    )


def run(path: Path, capsys) -> str:
    with translation.override("en"):
        call_command("import_roster", str(path))
    return capsys.readouterr().out


def run_failing(path: Path, capsys) -> list[str]:
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_roster", str(path))
    return capsys.readouterr().err.splitlines()


def two_villages() -> list[dict[str, str]]:
    return [
        row(),
        row(
            street="双杨现代农业发展中心",
            street_kind="center",
            village_code="370703008002",
            village="后邓村",
            secretary="邓晓燕",
            gender="女",
            phone="+86 139 0000 0002",
            since="2019-07-15",
        ),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_roster_creates_the_organisation(tmp_path, capsys, fmt):
    out = run(write(tmp_path / f"roster.{fmt}", two_villages()), capsys)

    assert "2 rows read" in out
    district = District.objects.get()
    assert district.name == "寒亭区"
    assert sorted(Street.objects.values_list("name", "kind")) == [
        ("双杨现代农业发展中心", "center"),
        ("固堤街道", "street"),
    ]
    tenure = Tenure.objects.select_related("secretary", "village").get(village__code="370703008002")
    assert tenure.village.name == "后邓村"
    assert tenure.village.street.name == "双杨现代农业发展中心"
    assert (tenure.secretary.name, tenure.secretary.gender) == ("邓晓燕", "female")
    assert tenure.secretary.phone == "+86 139 0000 0002"
    assert tenure.start == dt.date(2019, 7, 15)
    assert tenure.end is None


def test_import_roster_reads_csv_without_byte_order_mark(tmp_path, capsys):
    run(write(tmp_path / "roster.csv", two_villages(), bom=False), capsys)
    assert set(Village.objects.values_list("name", flat=True)) == {"杜家庄子村", "后邓村"}


def test_import_roster_reads_xlsx_cells_typed_as_numbers_and_dates(tmp_path, capsys):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(row().keys()))
    values = list(row().values())
    values[3], values[7], values[8] = 370703003001, 13800000001, dt.datetime(2021, 3, 1)
    sheet.append(values)
    path = tmp_path / "typed.xlsx"
    workbook.save(path)

    run(path, capsys)

    tenure = Tenure.objects.select_related("secretary", "village").get()
    assert tenure.village.code == "370703003001"
    assert tenure.secretary.phone == "13800000001"
    assert tenure.start == dt.date(2021, 3, 1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_roster_twice_changes_nothing_the_second_time(tmp_path, capsys, fmt):
    path = write(tmp_path / f"roster.{fmt}", two_villages())
    run(path, capsys)
    before = snapshot()

    out = run(path, capsys)

    assert "nothing to change" in out
    assert snapshot() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_roster_ends_old_tenure_the_day_before_a_new_secretary(tmp_path, capsys, fmt):
    run(write(tmp_path / f"first.{fmt}", [row()]), capsys)
    old = Tenure.objects.get()

    changed = row(secretary="杨建国", phone="13800000099", since="2024-04-01")
    run(write(tmp_path / f"second.{fmt}", [changed]), capsys)

    old.refresh_from_db()
    assert old.end == dt.date(2024, 3, 31)
    new = Tenure.objects.get(end__isnull=True)
    assert new.village_id == old.village_id
    assert new.secretary.name == "杨建国"
    assert new.start == dt.date(2024, 4, 1)
    assert Tenure.objects.count() == 2


def test_import_roster_updates_renamed_village_and_street_kind(tmp_path, capsys):
    run(write(tmp_path / "a.csv", [row()]), capsys)
    run(
        write(tmp_path / "b.csv", [row(village="杜家庄社区", street_kind="development_zone")]),
        capsys,
    )

    village = Village.objects.select_related("street").get()
    assert village.name == "杜家庄社区"
    assert village.street.kind == "development_zone"
    assert Tenure.objects.count() == 1


def test_import_roster_updates_phone_of_current_secretary(tmp_path, capsys):
    run(write(tmp_path / "a.csv", [row()]), capsys)
    out = run(write(tmp_path / "b.csv", [row(phone="13912345678")]), capsys)

    # The change is named as it is: the phone, not "gender and phone".
    assert "secretary “杜崇超”: phone updated" in out
    assert "gender" not in out

    assert list(Secretary.objects.values_list("name", "phone")) == [("杜崇超", "13912345678")]
    assert Tenure.objects.filter(end__isnull=True).count() == 1


def test_import_roster_moves_a_secretary_from_a_village_not_in_the_file(tmp_path, capsys):
    first = [
        row(),
        row(village_code="370703003002", village="东村", secretary="王勇", phone="13800000002"),
    ]
    run(write(tmp_path / "a.csv", first), capsys)

    moved = row(village_code="370703003003", village="西村", since="2025-01-01")
    run(write(tmp_path / "b.csv", [moved]), capsys)

    dus = Tenure.objects.filter(secretary__name="杜崇超").order_by("start")
    assert [(t.village.code, t.end) for t in dus] == [
        ("370703003001", dt.date(2024, 12, 31)),
        ("370703003003", None),
    ]
    assert Secretary.objects.filter(name="杜崇超").count() == 1


BAD_ROWS = [
    pytest.param({"secretary": ""}, "secretary", "a value is required", id="missing-value"),
    pytest.param({"street_kind": "town"}, "street_kind", "is not one of", id="unknown-street-kind"),
    pytest.param({"since": "2021/03/01"}, "since", "YYYY-MM-DD", id="bad-date-format"),
    pytest.param({"since": "2021-02-30"}, "since", "YYYY-MM-DD", id="impossible-date"),
    pytest.param({"gender": "x"}, "gender", "male / female", id="bad-gender"),
    pytest.param({"phone": "call me"}, "phone", "not a phone number", id="bad-phone"),
    pytest.param({"village_code": "37 07"}, "village_code", "Latin letters", id="bad-code"),
    pytest.param({"village": "村" * 101}, "village", "longer than 100", id="too-long"),
    pytest.param({"secretary": "杜\x00崇超"}, "secretary", "control characters", id="nul-byte"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("bad", "column", "message"), BAD_ROWS)
def test_import_roster_rejects_whole_file_for_one_bad_row(
    tmp_path, capsys, fmt, bad, column, message
):
    if fmt == "xlsx" and "\x00" in "".join(bad.values()):
        pytest.skip("a spreadsheet cannot hold a NUL byte; the CSV case covers it")
    third = {
        "village_code": "370703003009",
        "village": "北村",
        "secretary": "张伟",
        "phone": "13800000009",
    }
    rows = [*two_villages(), row(**(third | bad))]
    before = snapshot()

    errors = run_failing(write(tmp_path / f"roster.{fmt}", rows), capsys)

    assert errors == [f"Row 4, column {column}: " + errors[0].split(": ", 1)[1]]
    assert message in errors[0]
    assert snapshot() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_roster_reports_every_bad_row_and_cross_row_conflicts(tmp_path, capsys, fmt):
    rows = [
        row(),  # row 2
        row(village_code="370703003002", village="东村", secretary="王勇", phone="13800000002"),
        row(village_code="370703003001", village="杜家村"),  # row 4: code named twice
        row(village_code="370703003005", village="南村"),  # row 5: 杜崇超 leads two villages
        row(
            village_code="370703003006",
            village="西村",
            secretary="李明",
            phone="13800000006",
            since="",
        ),  # row 6: missing
        row(
            village_code="370703003007",
            village="上村",
            secretary="赵敏",
            phone="13800000007",
            street_kind="center",
        ),  # row 7: street kind contradicts row 2
    ]
    before = snapshot()

    errors = run_failing(write(tmp_path / f"roster.{fmt}", rows), capsys)

    assert len(errors) == 4
    assert errors[0].startswith("Row 4, column village: village code 370703003001 is named")
    assert "in row 2" in errors[0]
    assert errors[1].startswith("Row 5, column secretary: “杜崇超” (13800000001) is already listed")
    assert errors[2] == "Row 6, column since: a value is required"
    assert errors[3].startswith("Row 7, column street_kind: street “固堤街道” is of kind street")
    assert snapshot() == before


def test_import_roster_rejects_new_secretary_before_current_one_took_office(tmp_path, capsys):
    run(write(tmp_path / "a.csv", [row(since="2022-01-01")]), capsys)
    before = snapshot()

    errors = run_failing(
        write(
            tmp_path / "b.csv", [row(secretary="杨建国", phone="13800000099", since="2021-06-01")]
        ),
        capsys,
    )

    assert errors == [
        "Row 2, column since: must be after 2022-01-01, when the current secretary “杜崇超” "
        "took office"
    ]
    assert snapshot() == before


def test_import_roster_rejects_missing_header_columns(tmp_path, capsys):
    header = [c for c in row() if c not in ("phone", "since")]
    errors = run_failing(write(tmp_path / "r.csv", [row()], header=header), capsys)
    assert errors == [
        "Row 1, column phone: the header has no such column",
        "Row 1, column since: the header has no such column",
    ]
    assert not Village.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("gbk.csv", ",".join(row()).encode() + "\n寒亭区".encode("gbk"), "not UTF-8"),
        ("fake.xlsx", b"not a workbook", "not a readable .xlsx"),
        ("roster.txt", b"district", "Only .csv and .xlsx"),
        ("empty.csv", b"", "empty"),
        ("header.csv", ",".join(row()).encode(), "no rows"),
    ],
)
def test_import_roster_rejects_unreadable_files(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    errors = run_failing(path, capsys)
    assert len(errors) == 1
    assert errors[0].startswith("File: ")
    assert message in errors[0]
    assert not District.objects.exists()


def test_import_roster_command_exits_non_zero_on_a_bad_file(tmp_path):
    path = write(tmp_path / "bad.csv", [row(since="yesterday")])
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "x" * 50,
        "LANGUAGE": "en",
    }
    result = subprocess.run(  # noqa: S603 - our own manage.py with a fixed argument list
        [sys.executable, "manage.py", "import_roster", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "since" in result.stderr
    assert "2" in result.stderr
