"""The results document: its exact shape, its numbers, publication with a digest, exports."""

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from competition.models import Competition, Contestant, Problem, problem_key
from competition.services import ActionRefused
from scoring.models import Ballot, GradingPolicy, Publication, Score
from scoring.results import document as results
from scoring.results.services import override_grade, publish_competition
from tests.competition_setup import competition_in_scoring
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# `closed` (tests/scoring/conftest.py): three contestants, five judges and an observer.


def test_document_has_exactly_the_documented_shape(closed):
    document = results.build_document(closed)

    assert set(document) == {"competition", "policy", "criteria", "contestants"}
    assert set(document["competition"]) == {
        "id",
        "title",
        "level",
        "district",
        "street",
        "year",
        "quarter",
        "status",
        "digest",
    }
    # Every setting that shaped the document (issue 13 item 8; all of them changed in
    # test_policy_settings.py).
    assert document["policy"] == {
        "aggregation": "trimmed_mean",
        "trim_min_sheets": 5,
        "role_weights": {},
        "democratic_enabled": True,
        "panel_weight": "0.70",
        "democratic_weight": "0.30",
        "democratic_points": {
            "excellent": "100.00",
            "competent": "80.00",
            "basic": "60.00",
            "incompetent": "0.00",
        },
        "bands": {"excellent": "90.00", "competent": "70.00", "basic": "60.00"},
        "vetoes": {"incompetent_share": True, "approval_share": True},
        "excellent_cap": None,
        "annual_cap_by_quarter": True,
        "pay_coefficients": {
            "excellent": "1.20",
            "competent": "1.00",
            "basic": "0.80",
            "incompetent": "0.50",
        },
        "advancement_k": 2,
    }
    assert document["criteria"][0] == {
        "code": "political",
        "name": "个人政治表现",
        "max_points": "20.00",
        "required": True,
    }
    row = document["contestants"][0]
    assert set(row) == {
        "rank",
        "secretary",
        "village",
        "village_code",
        "street",
        "order",
        "sheets",
        "panel_score",
        "disagreement",
        "democratic",
        "final_score",
        "grade",
        "grade_set_by",
        "sheets_counted",
        "sheets_expected",
        "reasons",
    }
    assert set(row["sheets"][0]) == {
        "judge",
        "role",
        "weight",
        "observer",
        "points",
        "total",
        "percent",
        "dropped",
        "comment",
    }


def test_document_numbers_follow_the_rules(closed):
    rows = results.build_document(closed)["contestants"]

    assert [(r["rank"], r["final_score"], r["grade"]) for r in rows] == [
        (1, "90.00", "excellent"),
        (1, "90.00", "excellent"),
        (3, "70.00", "competent"),
    ]
    # Ties are shown in speaking order.
    assert [r["order"] for r in rows] == [1, 3, 2]
    first = rows[0]
    assert [(s["percent"], s["dropped"], s["observer"]) for s in first["sheets"]] == [
        ("90.00", False, False),
        ("95.00", False, False),
        ("100.00", True, False),
        ("85.00", False, False),
        ("80.00", True, False),
        ("10.00", False, True),
    ]
    assert first["panel_score"] == "90.00"
    assert first["disagreement"] == "7.07"
    assert first["democratic"] is None  # no democratic evaluation yet
    assert first["sheets"][0]["points"]["political"] == "18.00"


def test_anyone_can_recompute_the_results_from_the_json(closed):
    document = json.loads(results.to_json(results.build_document(closed)))
    for row in document["contestants"]:
        kept = [
            Decimal(s["percent"]) for s in row["sheets"] if not s["dropped"] and not s["observer"]
        ]
        for sheet in row["sheets"]:
            total = sum(Decimal(v) for v in sheet["points"].values())
            assert Decimal(sheet["total"]) == total
            assert Decimal(sheet["percent"]) == (total / 100 * 100).quantize(Decimal("0.01"))
        assert Decimal(row["panel_score"]) == (sum(kept) / len(kept)).quantize(Decimal("0.01"))
        assert row["final_score"] == row["panel_score"]


def test_publishing_freezes_the_document_with_its_digest(closed, street_staff_carol):
    publication = publish_competition(competition=closed, by=street_staff_carol)

    document = publication.document
    assert document["competition"]["status"] == "published"
    assert document["competition"]["digest"] == publication.digest
    assert results.digest(document) == publication.digest
    assert len(publication.digest) == 64

    # Later changes in the database do not change the published results.
    Score.objects.update(points=1)
    assert results.document_for(closed) == document
    with pytest.raises(ActionRefused):
        publish_competition(competition=closed, by=street_staff_carol)
    assert Publication.objects.count() == 1


def test_export_results_command_writes_json_csv_and_xlsx(closed, tmp_path, capsys):
    call_command("export_results", closed.pk, "--format", "json")
    exported = json.loads(capsys.readouterr().out)
    assert exported == json.loads(results.to_json(results.build_document(closed)))

    call_command("export_results", closed.pk, "--format", "csv", "--output", tmp_path / "r.csv")
    lines = (tmp_path / "r.csv").read_bytes().decode("utf-8-sig").splitlines()
    # Headers in the reader's language, Chinese by default (issue 13 item 7; test_exports.py).
    assert lines[0].startswith("名次,书记,村,村代码,街道,述职顺序,个人政治表现,")
    assert lines[1].split(",")[6] == "18.00"  # political average over the kept sheets
    call_command("export_results", closed.pk, "--format", "xlsx", "--output", tmp_path / "r.xlsx")
    workbook = load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes()))
    assert len(workbook.sheetnames) == 1 + 6  # the ranking and one sheet per judge
    # The final score, a number now (issue 13 item 7), after the democratic columns.
    assert workbook.worksheets[0].cell(1, 20).value == "总分"
    assert workbook.worksheets[0].cell(2, 20).value == 90


def test_a_grade_set_by_hand_needs_a_reason_and_is_explained(closed, street_staff_carol):
    contestant = closed.contestants.get(order=2)
    with pytest.raises(ActionRefused):
        override_grade(contestant=contestant, grade="basic", reason=" ", by=street_staff_carol)
    override_grade(
        contestant=contestant, grade="basic", reason="信访问题核实", by=street_staff_carol
    )
    row = next(r for r in results.build_document(closed)["contestants"] if r["order"] == 2)
    assert row["grade"] == "basic"
    assert row["reasons"] == [
        {"code": "no_ballots"},  # democratic evaluation is on, and nobody rated
        {"code": "override", "old": "competent", "new": "basic", "reason": "信访问题核实"},
    ]
    assert [results.reason_text(r) for r in row["reasons"]] == [
        "没有有效的民主评议票：最终得分只是评委得分。",
        "等次由“称职”手动调整为“基本称职”：信访问题核实",
    ]


def test_the_cap_turns_excellent_beyond_it_into_competent_with_a_reason(closed):
    GradingPolicy.objects.filter(competition=closed).update(excellent_cap=Decimal("0.34"))
    rows = results.build_document(closed)["contestants"]
    # One of three may be excellent; the first two share rank 1, so neither fits alone.
    assert [r["grade"] for r in rows] == ["competent", "competent", "competent"]
    assert rows[0]["reasons"] == [{"code": "no_ballots"}, {"code": "cap", "cap": "34", "rank": 1}]
    assert "34" in results.reason_text(rows[0]["reasons"][1])
    assert [r["grade_set_by"] for r in rows] == ["cap", "cap", None]


def test_each_row_says_what_set_its_grade_for_the_annual_roll_up(closed, street_staff_carol):
    first, second, third = closed.contestants.order_by("order")
    # One of two ballots incompetent: over a third, so 78.00 (competent by the bands) is vetoed.
    for choice in ("excellent", "incompetent"):
        Ballot.objects.create(contestant=first, choice=choice, cast_on=dt.date(2026, 3, 1))
    override_grade(contestant=second, grade="basic", reason="信访问题核实", by=street_staff_carol)

    rows = {r["order"]: r for r in results.build_document(closed)["contestants"]}
    assert [
        (rows[o]["final_score"], rows[o]["grade"], rows[o]["grade_set_by"]) for o in (1, 2, 3)
    ] == [
        ("78.00", "incompetent", "veto"),
        ("70.00", "basic", "override"),
        ("90.00", "excellent", None),
    ]


def test_results_page_is_for_street_staff_from_close_and_the_panel_after_publication(
    client, closed, street_staff_carol, district_dan
):
    judge = closed.judges.first().user
    url = reverse("scoring:results", args=[closed.pk])
    client.force_login(judge)
    assert client.get(url).status_code == 404
    client.force_login(district_dan)
    assert client.get(url).status_code == 404
    client.force_login(street_staff_carol)
    page = client.get(url).content.decode()
    assert "90.00" in page and "<s>100.00</s>" in page

    publish_competition(competition=closed, by=street_staff_carol)
    register = reverse("notice:register", args=[closed.pk])
    for user, reads_register in ((judge, False), (district_dan, True)):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert Publication.objects.get().digest in page
        # The objections register is for staff: a judge is offered no link to it.
        assert (f'href="{register}"' in page) is reads_register
        assert client.get(register).status_code == (200 if reads_register else 404)
    response = client.get(url, {"format": "json"})
    assert json.loads(response.content)["competition"]["digest"] == Publication.objects.get().digest


def test_beneath_each_row_each_judges_percent_is_named_and_what_does_not_count_says_why(
    client, closed, street_staff_carol
):
    client.force_login(street_staff_carol)
    page = client.get(reverse("scoring:results", args=[closed.pk])).content.decode()
    first = results.build_document(closed)["contestants"][0]
    lines = re.findall(r'<div class="judge-sheets">(.*?)</div>', page)
    assert len(lines) == 3
    names = [s["judge"] for s in first["sheets"]]
    # The first row: five judges (the highest and the lowest dropped) and an observer.
    assert lines[0] == " · ".join(
        [
            f'<span class="judge-sheet">{names[0]} 90.00</span>',
            f'<span class="judge-sheet">{names[1]} 95.00</span>',
            f'<span class="judge-sheet">{names[2]} <s>100.00</s> (已去掉)</span>',
            f'<span class="judge-sheet">{names[3]} 85.00</span>',
            f'<span class="judge-sheet">{names[4]} <s>80.00</s> (已去掉)</span>',
            f'<span class="judge-sheet">{names[5]} <s>10.00</s> (观察员：不计入)</span>',
        ]
    )
    assert "划线的分数不计入：已被去掉，或为观察员的评分。" in page


def bulk_scored(street, staff, size: int, judges: int = 3) -> Competition:
    """A competition with `size` contestants, each scored by every judge: written in bulk, the
    way a large quarter would be imported, so that a test at 400 stays quick."""
    from scoring.models import ScoreSheet

    competition = competition_in_scoring(
        street=street, staff=staff, contestants=size, judges=[UserFactory() for _ in range(judges)]
    )
    criteria = list(competition.criteria.all())
    seats = list(competition.judges.all())
    contestants = list(competition.contestants.all())
    ScoreSheet.objects.bulk_create(
        ScoreSheet(
            contestant=c,
            judge=j,
            status="submitted",
            version=1,
            submitted_at=competition.created_at,
        )
        for c in contestants
        for j in seats
    )
    Score.objects.bulk_create(
        Score(sheet=sheet, criterion=criterion, points=(sheet.pk % 20) / 2 + 5)
        for sheet in ScoreSheet.objects.filter(judge__competition=competition)
        for criterion in criteria
    )
    Competition.objects.filter(pk=competition.pk).update(status="closed")
    return competition


@pytest.mark.parametrize("size", [40, 400])
def test_results_page_makes_a_fixed_number_of_queries(client, street_staff_carol, size):
    competition = bulk_scored(street_staff_carol.membership.street, street_staff_carol, size)
    client.force_login(street_staff_carol)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scoring:results", args=[competition.pk]))
    assert len(response.context["rows"]) == size
    # session, user with their role, competition with its latest publication, problems carried
    # over, policy, criteria, judges, sheets, scores, online ballots, paper tallies, overrides,
    # contestants, contestant ids, criterion names in the reader's language, published versions
    assert len(queries) == 16, [q["sql"][:80] for q in queries]


def test_published_results_are_rendered_once_and_reused(client, street_staff_carol):
    competition = bulk_scored(street_staff_carol.membership.street, street_staff_carol, 400)
    publish_competition(competition=competition, by=street_staff_carol)
    client.force_login(street_staff_carol)
    url = reverse("scoring:results", args=[competition.pk])
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.content.count(b"<tr") == first.content.count(b"<tr") == 2 * 400 + 1
    assert again.content == first.content.replace(
        _token(first).encode(), _token(again).encode()
    )  # the same page, with the form's token of this serving
    # session, user with their role, competition with its latest publication, problems carried
    # over, published versions: the document is not read again, its rows are kept
    assert len(queries) == 5, [q["sql"][:80] for q in queries]
    # A reload of the unchanged page: 304, nothing drawn.
    with CaptureQueriesContext(connection) as queries:
        reload = client.get(url, headers={"if-none-match": again["ETag"]})
    assert reload.status_code == 304 and reload.content == b""
    assert len(queries) == 4, [q["sql"][:80] for q in queries]
    # Another reader: their own page, from the kept rows (the published versions are listed).
    client.force_login(
        MembershipFactory(
            user__username="dave",
            role="street_staff",
            district=competition.district,
            street=competition.street,
        ).user
    )
    with CaptureQueriesContext(connection) as queries:
        other = client.get(url, headers={"if-none-match": again["ETag"]})
    assert other.status_code == 200 and other.content.count(b"<tr") == 2 * 400 + 1
    assert len(queries) == 5, [q["sql"][:80] for q in queries]


def _token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_a_kept_results_page_follows_the_problems_still_open(client, street_staff_carol):
    competition = bulk_scored(street_staff_carol.membership.street, street_staff_carol, 3)
    publish_competition(competition=competition, by=street_staff_carol)
    client.force_login(street_staff_carol)
    url = reverse("scoring:results", args=[competition.pk])
    assert b'class="carried"' not in client.get(url).content
    contestant = competition.contestants.order_by("order").first()
    earlier = Competition.objects.create(
        district=competition.district,
        street=competition.street,
        year=competition.year - 1,
        quarter=1,
    )
    problem = Problem.objects.create(
        competition=earlier,
        contestant=Contestant.objects.create(
            competition=earlier, secretary=contestant.secretary, village=contestant.village
        ),
        village=contestant.village,
        text="道路未修",
        text_key=problem_key("道路未修"),
    )
    assert client.get(url).content.count(b'class="carried"') == 1
    problem.status = Problem.Status.RESOLVED
    problem.save()
    assert b'class="carried"' not in client.get(url).content


def test_competition_policy_is_frozen_in_admin_once_scoring_starts(client, admin_alice, closed):
    policy = GradingPolicy.objects.get(competition=closed)
    client.force_login(admin_alice)
    url = reverse("admin:scoring_gradingpolicy_change", args=[policy.pk])
    response = client.post(url, {"aggregation": "mean"})
    policy.refresh_from_db()
    assert response.status_code == 403
    assert policy.aggregation == "trimmed_mean"


def test_a_correction_after_publication_is_a_new_version_with_its_own_digest(
    client, closed, street_staff_carol
):
    first = publish_competition(competition=closed, by=street_staff_carol)
    contestant = closed.contestants.get(order=2)
    client.force_login(street_staff_carol)
    url = reverse("scoring:override", args=[closed.pk, contestant.pk])
    shown = client.get(reverse("scoring:results", args=[closed.pk])).content.decode()

    client.post(url, {"grade": "basic", "reason": ""})
    assert Publication.objects.count() == 1

    client.post(url, {"grade": "basic", "reason": "群众反映属实"})
    second = Publication.objects.get(version=2)
    assert second.digest != first.digest
    assert results.digest(second.document) == second.digest
    assert second.reason == "群众反映属实"
    row = next(r for r in second.document["contestants"] if r["order"] == 2)
    assert row["grade"] == "basic"
    first.refresh_from_db()
    assert next(r for r in first.document["contestants"] if r["order"] == 2)["grade"] == "competent"
    page = client.get(reverse("scoring:results", args=[closed.pk])).content.decode()
    assert "群众反映属实" in page and first.digest in page and second.digest in page
    # The rows kept from the first version give way to the correction's.
    assert page.count('class="grade-basic"') == shown.count('class="grade-basic"') + 1


def test_a_sheet_fix_after_publication_is_audited_and_republished(closed, street_staff_carol):
    from scoring.models import ScoreSheet, SheetRevision
    from scoring.results.services import amend_published

    publish_competition(competition=closed, by=street_staff_carol)
    contestant = closed.contestants.get(order=2)
    judge = closed.judges.order_by("pk").first()
    points = {c.code: "20" for c in closed.criteria.all()}
    amend_published(
        competition=closed,
        contestant=contestant,
        judge=judge,
        points=points,
        reason="评委誊写错误",
        by=street_staff_carol,
    )
    sheet = ScoreSheet.objects.get(judge=judge, contestant=contestant)
    revision = SheetRevision.objects.filter(sheet=sheet).latest("version")
    assert (revision.by, revision.old["points"]["political"], revision.new["correction"]) == (
        street_staff_carol,
        "14.00",
        "评委誊写错误",
    )
    document = Publication.objects.get(version=2).document
    row = next(r for r in document["contestants"] if r["order"] == 2)
    assert row["sheets"][0]["percent"] == "100.00"


def test_public_notice_shows_ranking_grades_and_digest(client, closed, street_staff_carol):
    publication = publish_competition(competition=closed, by=street_staff_carol)
    client.force_login(street_staff_carol)
    page = client.get(reverse("notice:printed", args=[closed.pk])).content.decode()
    assert publication.digest in page
    assert page.count("<tr>") == 4  # header and three contestants
    assert "优秀" in page and "称职" in page
    summary = client.get(reverse("scoring:judge_summary", args=[closed.pk])).content.decode()
    assert summary.count('class="paper-sheet"') == 6
    assert summary.count("评委签字") == 6
