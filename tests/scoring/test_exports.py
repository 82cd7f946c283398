"""The results' Excel and CSV files: typed numbers, the reader's language, a sortable sheet.

`closed` (tests/scoring/conftest.py): three contestants, five judges and an observer; the
contestants in speaking order 1 and 3 have a panel of 90.00, the one in order 2 of 70.00.
"""

import datetime as dt
import io
import json
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from scoring.models import Ballot, GradingPolicy
from scoring.results import document as results
from scoring.results.services import publish_competition

pytestmark = pytest.mark.django_db

NUMBER = (int, float, Decimal)


def with_ballots(competition):
    """Three ballots for the contestant in order 2: (100 + 80 + 80) ÷ 3 = 86.67 democratic,
    final 0.7 × 70 + 0.3 × 86.666… = 75.00. Their secretary's name looks like a formula."""
    second = competition.contestants.get(order=2)
    for choice in ("excellent", "competent", "competent"):
        Ballot.objects.create(contestant=second, choice=choice, cast_on=dt.date(2026, 3, 1))
    second.secretary.name = "=HYPERLINK(1)"
    second.secretary.save()
    return competition


def rows_of(sheet) -> list[dict]:
    header = [cell.value for cell in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2)]


def test_results_xlsx_is_in_chinese_with_numbers_as_numbers(client, closed, street_staff_carol):
    with_ballots(closed)
    client.force_login(street_staff_carol)

    response = client.get(reverse("scoring:results", args=[closed.pk]), {"format": "xlsx"})

    assert unquote(response["Content-Disposition"]) == (
        f"attachment; filename*=utf-8''结果 {closed.title}.xlsx"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    ranking = workbook.worksheets[0]
    assert ranking.title == "排名"
    assert [cell.value for cell in ranking[1]] == [
        "名次",
        "书记",
        "村",
        "村代码",
        "街道",
        "述职顺序",
        *(c.name for c in closed.criteria.all()),
        "评委得分",
        "评委离散度",
        "民主评议“优秀”票",
        "民主评议“称职”票",
        "民主评议“基本称职”票",
        "民主评议“不称职”票",
        "民主评议有效票",
        "民主评议得分",
        "总分",
        "等次",
        "等次说明",
        "评委点评",
    ]
    rows = rows_of(ranking)
    assert [
        (r["名次"].value, r["述职顺序"].value, r["总分"].value, r["等次"].value) for r in rows
    ] == [(1, 1, 90, "优秀"), (1, 3, 90, "优秀"), (3, 2, 75, "称职")]
    third = rows[2]
    assert [
        third[key].value
        for key in (
            "民主评议“优秀”票",
            "民主评议“称职”票",
            "民主评议“基本称职”票",
            "民主评议“不称职”票",
            "民主评议有效票",
        )
    ] == [1, 2, 0, 0, 3]
    assert third["民主评议得分"].value == pytest.approx(86.67)
    assert third["个人政治表现"].value == pytest.approx(14)  # the kept sheets' average points
    for key in ("总分", "评委得分", "评委离散度", "民主评议得分", "个人政治表现"):
        assert isinstance(third[key].value, NUMBER) and not isinstance(third[key].value, bool)
        assert third[key].number_format == "0.00"
    assert isinstance(third["名次"].value, int) and third["名次"].number_format == "General"
    assert rows[0]["民主评议得分"].value is None  # no ballots: an empty cell, not 0
    # Text a spreadsheet would run as a formula stays text.
    assert third["书记"].value == "'=HYPERLINK(1)" and third["书记"].data_type == "s"

    # The office sorts by 总分: the header row is frozen and filtered, columns fit their text.
    assert ranking.freeze_panes == "A2"
    assert ranking.auto_filter.ref == "A1:W4"
    widths = {
        cell.value: ranking.column_dimensions[cell.column_letter].width for cell in ranking[1]
    }
    assert widths["名次"] == 8  # the narrowest column
    assert widths["民主评议有效票"] == 16  # seven Chinese characters, two widths each, and room

    judge = workbook.worksheets[1]
    assert judge.title == "1-评委0"
    assert judge.freeze_panes == "A2"
    sheets = rows_of(judge)
    assert [(r["述职顺序"].value, r["合计"].value, r["百分制得分"].value) for r in sheets] == [
        (1, 90, 90),
        (2, 70, 70),
        (3, 90, 90),
    ]
    assert sheets[0]["合计"].number_format == "0.00"
    third_judge = rows_of(workbook.worksheets[3])  # gave 100 and 80: dropped
    assert [r["去掉"].value for r in third_judge] == ["是", "是", "是"]
    assert {r["去掉"].value for r in sheets} == {"否"}
    # Each judge's role on the panel: an observer's tab says so on every row.
    observer = closed.judges.get(role="observer").display_name
    roles = {tab.title.split("-", 1)[1]: {r["评委身份"].value for r in rows_of(tab)} for tab in
             workbook.worksheets[1:]}  # fmt: skip
    assert roles.pop(observer) == {"观察员"}
    assert roles and all(len(role) == 1 and "观察员" not in role for role in roles.values())


def test_results_xlsx_is_in_english_for_an_english_reader(client, closed, street_staff_carol):
    # One of three may be excellent; the two sharing rank 1 are both capped, with a reason.
    GradingPolicy.objects.filter(competition=closed).update(excellent_cap=Decimal("0.34"))
    publish_competition(competition=closed, by=street_staff_carol)
    client.force_login(street_staff_carol)

    response = client.get(
        reverse("scoring:results", args=[closed.pk]),
        {"format": "xlsx"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    workbook = load_workbook(io.BytesIO(response.content))
    ranking = workbook.worksheets[0]
    assert ranking.title == "Ranking"
    header = [cell.value for cell in ranking[1]]
    assert header[:6] == [
        "Rank",
        "Secretary",
        "Village",
        "Village code",
        "Street",
        "Speaking order",
    ]
    assert header[-10:] == [
        "Excellent ballots",
        "Competent ballots",
        "Basic competent ballots",
        "Incompetent ballots",
        "Valid ballots",
        "Democratic score",
        "Final score",
        "Grade",
        "Reasons",
        "Judges' comments",
    ]
    rows = rows_of(ranking)
    assert [(r["Final score"].value, r["Grade"].value) for r in rows] == [
        (90, "competent"),
        (90, "competent"),
        (70, "competent"),
    ]
    # The document holds the reason as a code; the English reader reads it in English.
    assert rows[0]["Reasons"].value == (
        "No valid democratic ballot: the final score is the panel score alone. "
        "Excellent grades are capped at 34 % of contestants; ranked 1, this contestant is "
        "graded competent."
    )
    assert {r["Dropped"].value for r in rows_of(workbook.worksheets[3])} == {"yes"}


def test_results_csv_is_in_the_readers_language_with_plain_numbers(
    client, closed, street_staff_carol
):
    with_ballots(closed)
    client.force_login(street_staff_carol)
    url = reverse("scoring:results", args=[closed.pk])

    chinese = client.get(url, {"format": "csv"}).content
    english = client.get(url, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en").content

    assert chinese.startswith("\ufeff".encode())  # for Excel to read UTF-8
    lines = chinese.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("名次,书记,村,村代码,街道,述职顺序,个人政治表现,")
    assert lines[0].endswith(",民主评议有效票,民主评议得分,总分,等次,等次说明,评委点评")
    third = lines[3].split(",")
    assert third[0] == "3" and third[1] == "'=HYPERLINK(1)"
    assert third[-10:-2] == ["1", "2", "0", "0", "3", "86.67", "75.00", "称职"]
    assert lines[1].split(",")[6] == "18.00"  # political average over the kept sheets
    english_lines = english.decode("utf-8-sig").splitlines()
    assert english_lines[0].startswith("Rank,Secretary,Village,Village code,Street,Speaking order,")
    assert english_lines[3].split(",")[-10:-2] == ["1", "2", "0", "0", "3", "86.67", "75.00"] + [
        "competent"
    ]


def test_the_json_download_keeps_its_machine_keys(client, closed, street_staff_carol):
    client.force_login(street_staff_carol)

    response = client.get(
        reverse("scoring:results", args=[closed.pk]), {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    document = json.loads(response.content)
    assert document == json.loads(results.to_json(results.build_document(closed)))
    assert (document["contestants"][0]["final_score"], document["contestants"][0]["grade"]) == (
        "90.00",
        "excellent",
    )


def test_export_results_writes_chinese_unless_told_another_language(closed, tmp_path):
    call_command("export_results", closed.pk, "--format", "csv", "--output", tmp_path / "zh.csv")
    call_command(
        "export_results",
        closed.pk,
        "--format",
        "xlsx",
        "--language",
        "en",
        "--output",
        tmp_path / "en.xlsx",
    )

    chinese = (tmp_path / "zh.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert chinese[0].startswith("名次,书记,村,")
    assert chinese[1].split(",")[-4:-2] == ["90.00", "优秀"]
    ranking = load_workbook(tmp_path / "en.xlsx").worksheets[0]
    assert (ranking["A1"].value, ranking["A2"].value) == ("Rank", 1)
    assert [r["Grade"].value for r in rows_of(ranking)] == ["excellent", "excellent", "competent"]


def test_a_judges_name_excel_refuses_in_a_sheet_name_is_made_safe():
    from scoring.reports import spreadsheets

    long_name = "区委组织部/组织科[科长]：张三" + "很长" * 20
    data = spreadsheets.to_xlsx([spreadsheets.Table(f"1-{long_name}", ["a"], [[True]])])

    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "1-区委组织部_组织科_科长_：张三很长很长很长很长很长很长很长很"[:31]
    assert sheet["A2"].value == "是"
