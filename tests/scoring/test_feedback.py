"""The feedback sheets (反馈单): figures from the published documents, checked against an
independent computation from the raw sheets; the comments without names (and with them for
staff); who may read them, and when; the queries they cost."""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from competition import services as competition_services
from competition.models import Competition, Problem
from scoring.models import Score, ScoreSheet
from scoring.results.services import publish_competition
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

JUDGE_NAMES = ["甄评委", "贾评委", "柏评委", "闵评委", "屈评委", "观察员岑"]  # the last observes


def points_of(i: int, j: int, codes: list[str]) -> dict[str, str]:
    """Judge j's points for contestant i: every item different, each judge's total above the
    one before (so the trimmed mean drops judge 0 and judge 4 without a tie)."""
    return {code: str(8 + i + j + Decimal((k * 3 + j * 2) % 5) / 2) for k, code in enumerate(codes)}


def run_competition(
    street, staff, *, judges, contestants, quarter=4, comments=False, say="点评{i}号{j}"
):
    """A published competition of the street: every judge scores every contestant; the last
    judge is an observer when there are six."""
    competition = competition_in_scoring(
        street=street, staff=staff, contestants=contestants, judges=judges, optional=()
    )
    seats = list(competition.judges.order_by("pk"))
    if len(seats) == 6:
        seats[-1].role = "observer"
        seats[-1].save()
    codes = list(competition.criteria.values_list("code", flat=True))
    for i, contestant in enumerate(competition.contestants.order_by("order")):
        for j, seat in enumerate(seats):
            observer = j == 5
            save_sheet(
                judge=seat,
                contestant=contestant,
                points=dict.fromkeys(codes, "1") if observer else points_of(i, j, codes),
                comment=(say[j] if isinstance(say, tuple) else say).format(i=i, j=j)
                if comments and j < 3
                else "",
                problems=["道路破损"] if comments and i == 0 and j == 0 else [],
                version=1,
                submit=True,
                by=seat.user,
            )
    competition_services.transition(competition=competition, action="close", by=staff)
    if quarter != 4:
        Competition.objects.filter(pk=competition.pk).update(quarter=quarter)
    competition.refresh_from_db()
    publish_competition(competition=competition, by=staff)
    competition.refresh_from_db()
    return competition


@pytest.fixture
def quarter(street, other_street, street_staff_carol):
    """寒亭-like street: last quarter's competition and this quarter's (the same three
    secretaries), and another street's competition this quarter."""
    previous = run_competition(
        street, street_staff_carol, judges=[UserFactory()], contestants=3, quarter=3
    )
    judges = [UserFactory(first_name=name) for name in JUDGE_NAMES]
    current = run_competition(
        street, street_staff_carol, judges=judges, contestants=0, comments=True
    )
    other_staff = MembershipFactory(
        role="street_staff", district=other_street.district, street=other_street
    ).user
    other = run_competition(
        other_street, other_staff, judges=[UserFactory() for _ in range(4)], contestants=4
    )
    return previous, current, other


def exact_averages(competition) -> dict[int, dict[str, Fraction]]:
    """By hand from the raw sheets: for each contestant, the sheets of judges who are not
    observers; with five or more, the highest and the lowest total dropped; each criterion's
    mean of the rest."""
    found = {}
    for contestant in competition.contestants.all():
        sheets = list(
            ScoreSheet.objects.filter(contestant=contestant, status="submitted").exclude(
                judge__role="observer"
            )
        )
        points = {
            s.pk: {sc.criterion.code: Fraction(sc.points) for sc in Score.objects.filter(sheet=s)}
            for s in sheets
        }
        sheets.sort(key=lambda s: sum(points[s.pk].values()))
        if len(sheets) >= 5:
            sheets = sheets[1:-1]
        codes = points[sheets[0].pk]
        found[contestant.pk] = {
            code: sum(points[s.pk][code] for s in sheets) / len(sheets) for code in codes
        }
    return found


def shown(value: Fraction) -> str:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def table_of(html: str, contestant_pk: int) -> dict[str, list[str]]:
    """The criteria table of one contestant's sheet: code → [own, street, district]."""
    sheet = html.split(f'id="feedback-{contestant_pk}"')[1].split("</article>")[0]
    rows = re.findall(r'<tr data-code="([^"]+)">(.*?)</tr>', sheet)
    return {code: re.findall(r"<td[^>]*>([^<]*)</td>", cells)[2:] for code, cells in rows}


def test_the_figures_are_the_published_ones_computed_again_by_hand(
    client, quarter, street_staff_carol
):
    _previous, current, other = quarter
    mine, theirs = exact_averages(current), exact_averages(other)
    codes = list(current.criteria.values_list("code", flat=True))
    street_average = {c: sum(a[c] for a in mine.values()) / len(mine) for c in codes}
    everyone = [*mine.values(), *theirs.values()]
    district_average = {c: sum(a[c] for a in everyone) / len(everyone) for c in codes}
    client.force_login(street_staff_carol)

    for contestant in current.contestants.all():
        response = client.get(reverse("scoring:feedback", args=[current.pk, contestant.pk]))
        html = response.content.decode()
        assert table_of(html, contestant.pk) == {
            code: [
                shown(mine[contestant.pk][code]),
                shown(street_average[code]),
                shown(district_average[code]),
            ]
            for code in codes
        }
        # Each bar of the chart is the average's share of the item's maximum (20), of 300.
        own_bars = re.findall(r'class="bar-own" x="0" y="\d+" width="([\d.]+)"', html)[1:]
        assert own_bars == [f"{float(mine[contestant.pk][c] / 20) * 300:.1f}" for c in codes]


def test_rank_grade_and_their_explanation_come_from_the_published_document(
    client, quarter, street_staff_carol
):
    _previous, current, _other = quarter
    document = current.publications.get().document
    first = current.contestants.get(order=1)
    row = next(r for r in document["contestants"] if r["order"] == 1)
    # Later changes to the sheets do not change a published feedback sheet.
    Score.objects.filter(sheet__contestant=first).update(points=0)
    client.force_login(street_staff_carol)

    html = client.get(reverse("scoring:feedback", args=[current.pk, first.pk])).content.decode()

    assert f"第 <strong>{row['rank']}</strong> 名，共 3 人" in html
    assert f'<strong class="feedback-final">{row["final_score"]}</strong>' in html
    assert '<strong class="feedback-grade">' in html
    assert "去掉一个最高分和一个最低分" in html  # the results page's explanation of the panel


def test_comments_have_no_names_on_the_sheet_and_a_stable_order(
    client, quarter, street_staff_carol
):
    _previous, current, _other = quarter
    first = current.contestants.get(order=1)
    client.force_login(street_staff_carol)
    url = reverse("scoring:feedback", args=[current.pk, first.pk])

    html = client.get(url).content.decode()

    comments = re.findall(r'<li class="feedback-comment">([^<]*)</li>', html)
    assert sorted(comments) == ["点评0号0", "点评0号1", "点评0号2"]
    assert not any(name in html for name in JUDGE_NAMES)
    # A reprint shows them in the same order.
    assert (
        re.findall(r'<li class="feedback-comment">([^<]*)</li>', client.get(url).content.decode())
        == comments
    )


def test_staff_see_the_comments_with_the_judges_names(client, quarter, street_staff_carol):
    _previous, current, _other = quarter
    client.force_login(street_staff_carol)

    results = client.get(reverse("scoring:results", args=[current.pk])).content.decode()
    summary = client.get(reverse("scoring:judge_summary", args=[current.pk])).content.decode()
    csv_file = client.get(reverse("scoring:results", args=[current.pk]), {"format": "csv"})
    xlsx = client.get(reverse("scoring:results", args=[current.pk]), {"format": "xlsx"})

    assert "甄评委：点评0号0" in results and "柏评委：点评2号2" in results
    assert '<td class="judge-comment">点评1号0</td>' in summary  # on 甄评委's page
    ranking = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    first = next(r for r in ranking if r["述职顺序"] == "1")
    assert first["评委点评"].splitlines() == [
        "甄评委：点评0号0",
        "贾评委：点评0号1",
        "柏评委：点评0号2",
    ]
    workbook = load_workbook(io.BytesIO(xlsx.content))
    judge = workbook.worksheets[1]
    header = [cell.value for cell in judge[1]]
    assert header[-1] == "点评"
    assert [row[-1].value for row in judge.iter_rows(min_row=2)] == [
        "点评0号0",
        "点评1号0",
        "点评2号0",
    ]


def test_problems_and_the_previous_quarter_are_on_the_sheet(client, quarter, street_staff_carol):
    previous, current, _other = quarter
    first = current.contestants.get(order=1)
    Problem.objects.filter(contestant=first).update(status="in_progress")
    before = next(
        r
        for r in previous.publications.get().document["contestants"]
        if r["secretary"] == first.secretary.name
    )
    now = next(r for r in current.publications.get().document["contestants"] if r["order"] == 1)
    client.force_login(street_staff_carol)

    html = client.get(reverse("scoring:feedback", args=[current.pk, first.pk])).content.decode()

    assert '<tr class="feedback-problem"><td>道路破损</td><td>整改中</td>' in html
    change = Decimal(now["final_score"]) - Decimal(before["final_score"])
    assert "2026年第3季度" in html and f"最终得分 {before['final_score']}" in html
    assert f"{change:+.2f}" in html


def test_a_secretary_without_a_previous_quarter_is_told_so(client, quarter, district_dan):
    _previous, _current, other = quarter
    client.force_login(district_dan)
    contestant = other.contestants.first()

    html = client.get(reverse("scoring:feedback", args=[other.pk, contestant.pk])).content.decode()

    assert "上一季度没有已发布的成绩" in html


def test_feedback_is_refused_before_publication_with_a_clear_message(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    contestant = competition.contestants.first()
    client.force_login(street_staff_carol)

    one = client.get(reverse("scoring:feedback", args=[competition.pk, contestant.pk]))
    every = client.get(reverse("scoring:feedback_all", args=[competition.pk]))

    for response in (one, every):
        assert response.status_code == 404
        assert "反馈单在成绩发布后生成" in response.content.decode()
        assert "feedback-sheet" not in response.content.decode()


def test_feedback_is_refused_to_another_street_and_to_judges(client, quarter, other_street):
    _previous, current, _other = quarter
    contestant = current.contestants.first()
    others = MembershipFactory(
        role="street_staff", district=other_street.district, street=other_street
    ).user
    judge = current.judges.first().user
    urls = [
        reverse("scoring:feedback", args=[current.pk, contestant.pk]),
        reverse("scoring:feedback_all", args=[current.pk]),
    ]
    for user in (others, judge):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404
            assert contestant.secretary.name not in response.content.decode()


def test_the_profile_links_to_the_feedback_sheets_and_its_readers_read_them(
    client, quarter, district_dan
):
    _previous, current, _other = quarter
    contestant = current.contestants.get(order=2)
    client.force_login(district_dan)

    profile = client.get(reverse("scoring:secretary", args=[contestant.secretary_id]))
    url = reverse("scoring:feedback", args=[current.pk, contestant.pk])

    assert url in profile.content.decode()
    assert f'id="feedback-{contestant.pk}"' in client.get(url).content.decode()


def test_print_all_holds_every_contestant_each_on_its_own_page(client, quarter, street_staff_carol):
    _previous, current, _other = quarter
    client.force_login(street_staff_carol)

    html = client.get(reverse("scoring:feedback_all", args=[current.pk])).content.decode()

    shown_ids = re.findall(r'<article class="paper-sheet feedback-sheet" id="feedback-(\d+)"', html)
    expected = list(current.contestants.order_by("order").values_list("pk", flat=True))
    assert [int(pk) for pk in shown_ids] == expected
    assert (
        reverse("scoring:feedback_all", args=[current.pk])
        in client.get(reverse("scoring:results", args=[current.pk])).content.decode()
    )


def test_the_feedback_page_makes_a_fixed_number_of_queries(
    client, quarter, street_staff_carol, django_assert_num_queries
):
    _previous, current, _other = quarter
    contestant = current.contestants.get(order=1)
    client.force_login(street_staff_carol)
    # session, user with their role, the competition with its latest publication, the
    # contestant, the published document, the district's documents of the quarter, the
    # criteria's names, the problems, last quarter's contestants, their documents and their
    # criteria's names
    with django_assert_num_queries(11):
        response = client.get(reverse("scoring:feedback", args=[current.pk, contestant.pk]))
    assert len(response.context["feedback"].sheets) == 1


@pytest.mark.parametrize("size", [2, 5])
def test_print_all_makes_a_fixed_number_of_queries(
    client, street, street_staff_carol, size, django_assert_num_queries
):
    run_competition(street, street_staff_carol, judges=[UserFactory()], contestants=size, quarter=3)
    current = run_competition(
        street,
        street_staff_carol,
        judges=[UserFactory(), UserFactory()],
        contestants=0,
        comments=True,
    )
    client.force_login(street_staff_carol)
    # session, user with their role, the competition with its latest publication, the
    # contestants, the published document, the district's documents of the quarter, the
    # criteria's names, the problems, last quarter's contestants, their documents and their
    # criteria's names
    with django_assert_num_queries(11):
        response = client.get(reverse("scoring:feedback_all", args=[current.pk]))
    assert len(response.context["feedback"].sheets) == size
    assert all(sheet.previous is not None for sheet in response.context["feedback"].sheets)


def test_a_document_published_before_comments_were_in_it_gets_them_from_its_sheets(quarter):
    from scoring.results.comments import named_comments, with_comments

    _previous, current, _other = quarter
    publication = current.publications.get()
    old = publication.document
    for row in old["contestants"]:
        for sheet in row["sheets"]:
            del sheet["comment"]
    first = next(r for r in old["contestants"] if r["order"] == 1)

    restored = with_comments(current, old)

    assert named_comments(next(r for r in restored["contestants"] if r["order"] == 1)) == [
        ("甄评委", "点评0号0"),
        ("贾评委", "点评0号1"),
        ("柏评委", "点评0号2"),
    ]
    assert "comment" not in first["sheets"][0]  # the document itself is left as it was
