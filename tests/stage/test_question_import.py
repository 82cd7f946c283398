"""The question bank imported from a spreadsheet: every row or none, each bad row named."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from stage.models import Question

pytestmark = pytest.mark.django_db


def xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("questions.xlsx", out.getvalue())


def post(client, competition, upload):
    return client.post(reverse("stage:questions_import", args=[competition.pk]), {"file": upload})


def test_a_good_file_adds_every_question_under_its_criterion(
    client, competition, street_staff_carol
):
    client.force_login(street_staff_carol)
    upload = xlsx(
        [
            ["criterion", "question"],
            ["political", "如何带头学习？"],
            ["带领村庄发展", "集体经济怎么壮大？"],  # by its name
            [None, None],  # an empty row is skipped
            ["Grassroots governance", "网格员怎么配？"],  # an optional item, by its English name
        ]
    )
    response = post(client, competition, upload)
    assert response.status_code == 302, response.context and response.context["file_errors"]
    assert sorted(Question.objects.values_list("criterion_code", "text")) == [
        ("development", "集体经济怎么壮大？"),
        ("governance", "网格员怎么配？"),
        ("political", "如何带头学习？"),
    ]
    page = client.get(reverse("stage:questions", args=[competition.pk]))
    assert "集体经济怎么壮大？" in page.content.decode()


def test_a_file_with_one_bad_row_imports_nothing_and_names_each_bad_row(
    client, competition, street_staff_carol
):
    client.force_login(street_staff_carol)
    upload = xlsx(
        [
            ["考核项目", "题目"],
            ["political", "好的一题"],
            ["no_such_item", "另一题"],
            ["political", ""],
            ["political", "好的一题"],
            ["political", "长" * 501],
        ]
    )
    response = post(client, competition, upload)
    assert response.status_code == 400
    errors = [str(e) for e in response.context["file_errors"]]
    assert [error.line for error in response.context["file_errors"]] == [3, 4, 5, 6]
    assert all(f"第 {n} 行" in e for n, e in zip((3, 4, 5, 6), errors, strict=True))
    assert not Question.objects.exists()
    # The message quotes the value at fault and names the criteria the file may use, as the
    # reader calls them.
    assert "“no_such_item”不是本次擂台赛的考核项目（可用：" in errors[0]
    assert all(name in errors[0] for name in competition.criteria.values_list("name", flat=True))
    # Each column is named as the file's header names it.
    assert "考核项目" in errors[0] and "题目" in errors[1] and "criterion" not in "".join(errors)


def test_a_file_that_is_not_a_workbook_is_refused(client, competition, street_staff_carol):
    client.force_login(street_staff_carol)
    response = post(client, competition, SimpleUploadedFile("q.xlsx", b"not a workbook"))
    assert response.status_code == 400 and response.context["file_errors"]
    response = post(client, competition, SimpleUploadedFile("q.txt", b"x"))
    assert response.status_code == 400 and not Question.objects.exists()


def test_a_question_already_in_the_bank_refuses_the_file(client, competition, street_staff_carol):
    from stage.services import add_question

    add_question(
        competition=competition, criterion_code="political", text="旧题", by=street_staff_carol
    )
    client.force_login(street_staff_carol)
    response = post(
        client,
        competition,
        xlsx([["criterion", "question"], ["political", "新题"], ["political", "旧题"]]),
    )
    assert response.status_code == 400
    assert list(Question.objects.values_list("text", flat=True)) == ["旧题"]
