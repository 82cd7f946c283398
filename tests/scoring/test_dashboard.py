"""The district dashboard: every number against a computation of its own, access, query count."""

import datetime as dt
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from competition.models import Competition, Contestant, Judge, Problem, problem_key
from scoring.models import ScoreSheet
from scoring.reports import rankings
from scoring.reports.dashboard import district_dashboard
from scoring.results import queries
from tests.factories import StreetFactory, TenureFactory, UserFactory
from tests.scoring.test_rankings import publish

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 7, 1)
PAST, FUTURE = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=30)


def contestants_of(competition: Competition, street, n: int, absent: int = 0) -> list[Contestant]:
    tenures = TenureFactory.create_batch(n, village__street=street)
    return [
        Contestant.objects.create(
            competition=competition,
            secretary=t.secretary,
            village=t.village,
            order=i,
            absent=i > n - absent,
        )
        for i, t in enumerate(tenures, start=1)
    ]


def in_scoring(street, year=2026, quarter=2, *, level="street", district=None) -> Competition:
    return Competition.objects.create(
        district=district or street.district,
        street=street if level == "street" else None,
        level=level,
        year=year,
        quarter=quarter,
        status="scoring",
    )


def panel(competition: Competition, n: int, role=Judge.Role.AREA_CHIEF) -> list[Judge]:
    return [
        Judge.objects.create(competition=competition, user=UserFactory(), role=role)
        for _ in range(n)
    ]


def sheet(judge: Judge, contestant: Contestant, status="submitted") -> ScoreSheet:
    submitted_at = timezone.now() if status == "submitted" else None
    return ScoreSheet.objects.create(
        judge=judge, contestant=contestant, status=status, submitted_at=submitted_at
    )


def problem(competition: Competition, contestant: Contestant, status="open", due=None) -> Problem:
    text = f"道路硬化进度慢 {Problem.objects.count()}"  # one village's problems differ
    return Problem.objects.create(
        competition=competition,
        contestant=contestant,
        village=contestant.village,
        text=text,
        text_key=problem_key(text),
        status=status,
        due=due,
    )


@pytest.fixture
def period(street, other_street, district_dan):
    """2026 Q2 in a district of three streets, with the quarters around it and last year."""
    quiet = StreetFactory(district=street.district, name="测试街道zz")
    q2 = publish(street, 2026, 2, {"A": "92.50", "B": "81.00", "C": "59.99"}, district_dan)
    publish(other_street, 2026, 2, {"D": "90.00", "E": "65.00"}, district_dan, {"E": "incompetent"})
    publish(street, 2026, 1, {"A": "88.00"}, district_dan)
    publish(other_street, 2026, 3, {"D": "70.00"}, district_dan)
    publish(street, 2025, 2, {"A": "80.00", "B": "70.00"}, district_dan)
    publish(other_street, 2025, 4, {"D": "75.50"}, district_dan)
    elsewhere = StreetFactory()
    publish(elsewhere, 2026, 2, {"X": "99.00"}, district_dan)

    # Problems of the quarter, by the street of their village.
    a, b = contestants_of(q2, street, 2)
    problem(q2, a, "open", PAST)  # overdue
    problem(q2, a, "open", FUTURE)
    problem(q2, b, "in_progress", PAST)  # overdue
    problem(q2, b, "resolved", PAST)  # not overdue: resolved
    problem(q2, b, "open", None)
    district_level = in_scoring(street, level="district")
    [d] = contestants_of(district_level, other_street, 1)
    problem(district_level, d, "in_progress", None)
    problem(district_level, d, "open", PAST)  # overdue
    q1 = Competition.objects.get(street=street, year=2026, quarter=1)
    problem(q1, contestants_of(q1, street, 1)[0], "open", PAST)  # another quarter
    far = Competition.objects.get(street=elsewhere)
    problem(far, contestants_of(far, elsewhere, 1)[0], "open", PAST)  # another district

    # Judges' progress in the quarter's competitions still being scored.
    scoring = in_scoring(quiet)
    one, two, gone = contestants_of(scoring, quiet, 3, absent=1)
    first, observer = panel(scoring, 1)[0], panel(scoring, 1, Judge.Role.OBSERVER)[0]
    first.recusals.add(one)
    observer.recusals.add(gone)  # an absent contestant's recusal changes nothing
    sheet(first, two)
    sheet(observer, one)
    sheet(observer, two, "draft")
    sheet(first, gone)  # absent: not counted
    sheet(first, one)  # recused: not counted
    judges = panel(district_level, 3)
    for judge in judges:
        sheet(judge, d)
    draft = Competition.objects.create(
        district=street.district, street=other_street, year=2026, quarter=4, status="draft"
    )
    panel(draft, 2)
    panel(in_scoring(quiet, quarter=3), 2)
    return {"scoring": scoring, "district_level": district_level, "quiet": quiet}


def test_dashboard_numbers_agree_with_an_independent_count(street, other_street, period):
    numbers = district_dashboard(district_id=street.district_id, year=2026, quarter=2, today=TODAY)

    # (1) The grades as published (E's veto included), as the rankings count them.
    assert numbers.grade_counts == {"excellent": 2, "competent": 1, "basic": 0, "incompetent": 2}
    ranked = rankings.district_rankings(district_id=street.district_id, year=2026, quarter=2)
    assert numbers.grade_counts == ranked.grade_counts
    assert numbers.graded == len(ranked.rows) == 5

    # (2) Streets compared: every street of the district, the quiet one too.
    by_name = {s.name: s for s in numbers.streets}
    assert list(by_name) == sorted([street.name, other_street.name, period["quiet"].name])
    one, two, quiet = by_name[street.name], by_name[other_street.name], by_name["测试街道zz"]
    assert one.average == Decimal("77.83")  # (92.50 + 81.00 + 59.99) / 3 = 77.8300
    assert two.average == Decimal("77.50")
    assert quiet.average is None
    assert one.grades == [("excellent", 1), ("competent", 1), ("basic", 0), ("incompetent", 1)]
    assert two.grades == [("excellent", 1), ("competent", 0), ("basic", 0), ("incompetent", 1)]
    assert quiet.grades == [("excellent", 0), ("competent", 0), ("basic", 0), ("incompetent", 0)]
    assert [(s.published_in_quarter, s.published_in_year) for s in (one, two, quiet)] == [
        (1, 2),
        (1, 2),
        (0, 0),
    ]

    # (3) The district's average final by quarter: this year and last.
    assert numbers.averages == {
        1: Decimal("88.00"),
        2: Decimal("77.70"),  # 388.49 / 5 = 77.698
        3: Decimal("70.00"),
        4: None,
    }
    assert numbers.previous_averages == {1: None, 2: Decimal("75.00"), 3: None, 4: Decimal("75.50")}

    # (4) Problems raised in the quarter, by their village's street (in the streets' order, by
    # name: "测试街道100" before "测试街道99"), as they stand today.
    assert [
        (p.street, p.raised, p.open, p.in_progress, p.resolved, p.overdue) for p in numbers.problems
    ] == sorted([
        (street.name, 5, 3, 1, 1, 2),
        (other_street.name, 2, 1, 1, 0, 1),
    ])  # fmt: skip

    # (5) Judges' completion, counted as the progress board counts it.
    district_level, scoring = period["district_level"], period["scoring"]
    assert [(c.competition_id, c.submitted, c.expected, c.percent) for c in numbers.completion] == [
        (district_level.pk, 3, 3, 100),
        # 2 present × 1 counting judge − 1 recusal: the observer's sheets are not counted,
        # as the close does not count them
        (scoring.pk, 1, 1, 100),
    ]
    for row, competition in zip(numbers.completion, (district_level, scoring), strict=True):
        board = queries.progress_board(competition)
        assert (row.submitted, row.expected, row.percent) == (
            board.submitted,
            board.expected,
            board.percent_done,
        )


def test_dashboard_page_shows_the_numbers_with_links_to_the_rankings(
    client, street, other_street, district_dan, period
):
    client.force_login(district_dan)
    response = client.get(reverse("scoring:dashboard"), {"year": 2026, "quarter": 2})

    assert response.context["district"] == street.district
    chart = response.context["chart"]
    assert chart["distribution"] == [2, 1, 0, 2]
    averages = dict(zip(chart["streets"]["labels"], chart["streets"]["average"], strict=True))
    assert averages == {street.name: 77.83, other_street.name: 77.5, "测试街道zz": None}
    assert chart["streets"]["labels"] == sorted(averages)
    assert chart["trend"]["series"][0]["values"] == [88.0, 77.7, 70.0, None]
    assert chart["trend"]["series"][1]["values"] == [None, 75.0, None, 75.5]
    assert chart["completion"]["percent"] == [100, 100]
    html = response.content.decode()
    assert '<script id="dashboard-data" type="application/json">' in html
    assert "chartjs-4.6.1/chart.umd.min.js" in html and "js/dashboard.js" in html
    assert "style=" not in html.split("<main")[1]
    rankings_url = reverse("scoring:rankings")
    assert f'href="{rankings_url}?year=2026&quarter=2&street=&grade=excellent"' in html
    street_link = f"street={quote(other_street.name)}&grade=incompetent"
    assert f'href="{rankings_url}?year=2026&quarter=2&{street_link}"' in html
    assert f'href="{rankings_url}?year=2025&quarter=4&street=&grade="' in html
    assert reverse("scoring:dashboard") in html  # the navigation link


def test_administrators_choose_a_district(client, admin_alice, street, period):
    other = StreetFactory()
    publish(other, 2026, 2, {"Z": "75.00"}, admin_alice)
    client.force_login(admin_alice)

    response = client.get(reverse("scoring:dashboard"), {"year": 2026, "quarter": 2})
    assert response.context["district"] == street.district  # the first district
    response = client.get(
        reverse("scoring:dashboard"), {"year": 2026, "quarter": 2, "district": other.district_id}
    )
    assert response.context["district"] == other.district
    assert response.context["numbers"].grade_counts == {
        "excellent": 0,
        "competent": 1,
        "basic": 0,
        "incompetent": 0,
    }
    assert f"&amp;district={other.district_id}" in response.content.decode()


def test_district_staff_see_only_their_district(client, district_dan, street):
    other = StreetFactory()
    client.force_login(district_dan)
    response = client.get(reverse("scoring:dashboard"), {"district": other.district_id})
    assert response.context["district"] == street.district


@pytest.mark.parametrize("who", ["street_staff_carol", "judge_bob"])
def test_street_staff_and_judges_get_not_found(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("scoring:dashboard"))
    assert response.status_code == 404
    assert "dashboard-data" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, street):
    url = reverse("scoring:dashboard")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_a_quarter_being_scored_now_is_a_link_away_from_the_published_one(
    client, street, district_dan
):
    publish(street, 2025, 4, {"V1": "80.00"}, district_dan)
    in_scoring(StreetFactory(district=street.district), 2026, 4)
    in_scoring(StreetFactory(district=street.district), 2026, 3)  # an older one, still open
    client.force_login(district_dan)

    page = client.get(reverse("scoring:dashboard")).content.decode()

    assert "2025年第4季度" in page.split("</h1>")[0]  # opens on the latest published quarter
    assert "本季度没有正在评分的擂台赛。" in page
    # Nothing being scored and no problem raised: no empty chart, the tables say so.
    assert 'id="chart-completion"' not in page and 'id="chart-problems"' not in page
    assert '<a href="?year=2026&quarter=4" id="scoring-now">正在评分：2026年第4季度</a>' in page
    later = client.get(reverse("scoring:dashboard"), {"year": 2026, "quarter": 4})
    assert len(later.context["numbers"].completion) == 1
    assert 'id="chart-completion"' in later.content.decode()
    assert 'id="scoring-now"' not in later.content.decode()


@pytest.mark.parametrize("size", [2, 8])
def test_dashboard_makes_a_fixed_number_of_queries(client, street, district_dan, size):
    streets = [street, *StreetFactory.create_batch(size - 1, district=street.district)]
    today = timezone.localdate()
    for index, each in enumerate(streets):
        finals = {f"V{index}-{c}": f"{55 + (index * 7 + c) % 45}.00" for c in range(size * 3)}
        q2 = publish(each, 2026, 2, finals, district_dan)
        publish(each, 2026, 1, finals, district_dan)
        publish(each, 2025, 2, finals, district_dan)
        for contestant in contestants_of(q2, each, size):
            problem(q2, contestant, "open", today - dt.timedelta(days=1))
    for each in StreetFactory.create_batch(size, district=street.district):
        scoring = in_scoring(each)
        judges = panel(scoring, 3)
        for contestant in contestants_of(scoring, each, size):
            sheet(judges[0], contestant)
            judges[1].recusals.add(contestant)
    client.force_login(district_dan)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("scoring:dashboard"), {"year": 2026, "quarter": 2})

    numbers = response.context["numbers"]
    assert numbers.graded == size * size * 3
    assert len(numbers.problems) == size and len(numbers.completion) == size
    # session, user with their role, this year's documents, last year's, streets, problems by
    # street, judges' completion
    assert len(captured) == 7, [q["sql"][:60] for q in captured]
