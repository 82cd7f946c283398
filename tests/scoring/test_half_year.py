"""The half-year report: each secretary's two quarters, their mean, the observation-point score
and the problems of the half, per street too — checked against a computation of its own."""

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from competition.models import Competition, Contestant, Problem, problem_key
from scoring.models import GradingPolicy, Publication
from scoring.reports import halfyear
from scoring.results.document import summary_of
from tests.factories import MembershipFactory, SecretaryFactory, StreetFactory, VillageFactory
from tests.scoring.test_rankings import publish
from villages.models import Secretary, Village

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shown(value: Fraction) -> Decimal:
    """Half up to two places, computed here on its own."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def publish_review(district, year, half, finals: dict[str, tuple], staff) -> Competition:
    """A published half-year review whose document holds the finals, by village code: each
    (street, final)."""
    competition = Competition.objects.create(
        level="review", district=district, year=year, quarter=2 * half, status="published"
    )
    GradingPolicy.objects.create(competition=competition)
    rows = [
        {
            "rank": n,
            "secretary": f"书记{code}",
            "village": f"村{code}",
            "village_code": code,
            "street": street.name,
            "order": n,
            "sheets": [],
            "panel_score": final,
            "disagreement": "0.00",
            "democratic": None,
            "final_score": final,
            "grade": "competent",
            "reasons": [],
        }
        for n, (code, (street, final)) in enumerate(finals.items(), start=1)
    ]
    about = {"id": competition.pk, "title": "", "level": "review", "district": district.name}
    about |= {"street": None, "year": year, "quarter": 2 * half, "status": "published"}
    document = {"competition": about, "policy": {}, "criteria": [], "contestants": rows}
    Publication.objects.create(
        competition=competition,
        version=1,
        document=document,
        summary=summary_of(document),
        digest="0" * 64,
        by=staff,
    )
    return competition


def raise_problems(competition, street, code, statuses: list) -> None:
    """Problems about village `code` (its secretary 书记`code`) raised at a competition: each a
    status, or ("resolved", when) for one resolved at that local time."""
    village = Village.objects.filter(code=code).first() or VillageFactory(
        street=street, code=code, name=f"村{code}"
    )
    secretary = Secretary.objects.filter(name=f"书记{code}").first() or SecretaryFactory(
        name=f"书记{code}"
    )
    contestant = Contestant.objects.create(
        competition=competition, secretary=secretary, village=village
    )
    for n, status in enumerate(statuses):
        status, when = status if isinstance(status, tuple) else (status, None)
        text = f"问题{code}{competition.pk}{n}"
        Problem.objects.create(
            competition=competition,
            contestant=contestant,
            village=village,
            text=text,
            text_key=problem_key(text),
            status=status,
            resolution="已整改" if status == "resolved" else "",
            resolved_at=when and dt.datetime.fromisoformat(when).replace(tzinfo=SHANGHAI),
        )


# The half's published finals by quarter, street and village code; the review's points.
Q1 = {"A": "91.23", "B": "80.00", "C": "70.10"}
Q2 = {"A": "80.50", "B": "79.99"}
Q2_OTHER = {"D": "65.00"}
Q1_OTHER = {"D": "88.88", "E": "59.00"}
REVIEW = {"A": "93.10", "D": "77.77"}


@pytest.fixture
def half(street, other_street, district_dan):
    """A first half of 2026: two streets, two quarters, a review, problems; and, to be left out,
    the third quarter and a draft review of another half."""
    street.name, other_street.name = "甲街道", "乙街道"
    street.save()
    other_street.save()
    q1 = publish(street, 2026, 1, Q1, district_dan)
    publish(street, 2026, 2, Q2, district_dan)
    publish(other_street, 2026, 1, Q1_OTHER, district_dan)
    publish(other_street, 2026, 2, Q2_OTHER, district_dan)
    review = publish_review(
        street.district,
        2026,
        1,
        {"A": (street, REVIEW["A"]), "D": (other_street, REVIEW["D"])},
        district_dan,
    )
    publish(street, 2026, 3, {"A": "10.00"}, district_dan)  # another half
    Competition.objects.create(level="review", district=street.district, year=2026, quarter=4)
    # A: three raised in Q1; one resolved in the half, one after it.
    raise_problems(
        q1, street, "A", ["open", ("resolved", "2026-03-01 10:00"), ("resolved", "2026-07-02")]
    )
    raise_problems(review, other_street, "D", ["in_progress"])
    # C: raised last year, one resolved on the half's last evening (Beijing time), one just
    # after midnight, in the next half.
    last_year = publish(street, 2025, 4, {"X": "80.00"}, district_dan)
    raise_problems(
        last_year,
        street,
        "C",
        [("resolved", "2026-06-30 23:30"), ("resolved", "2026-07-01 00:30"), "open"],
    )
    q3 = Competition.objects.get(street=street, quarter=3)
    raise_problems(q3, street, "B", ["open"])  # another half: not counted
    # A third street's first quarter, still being scored: nothing of it counts yet.
    scoring = Competition.objects.create(
        street=StreetFactory(district=street.district, name="丙街道"),
        district=street.district,
        year=2026,
        quarter=1,
        status=Competition.Status.SCORING,
    )
    raise_problems(scoring, scoring.street, "F", ["open"])
    return street, other_street


def expected_rows() -> dict[str, dict]:
    """Each secretary's figures, computed here: by village code."""
    quarters = {}
    for quarter, finals in ((1, Q1 | Q1_OTHER), (2, Q2 | Q2_OTHER)):
        for code, final in finals.items():
            quarters.setdefault(code, {})[quarter] = Decimal(final)
    rows = {}
    for code, finals in quarters.items():
        mean = sum(Fraction(f) for f in finals.values()) / len(finals)
        rows[code] = {
            "q1": finals.get(1),
            "q2": finals.get(2),
            "mean": mean,
            "review": Decimal(REVIEW[code]) if code in REVIEW else None,
        }
    # (raised in the half, resolved in the half)
    problems = {"A": (3, 1), "D": (1, 0), "C": (0, 1)}
    for code, row in rows.items():
        row["raised"], row["resolved"] = problems.get(code, (0, 0))
    return rows


def test_the_report_matches_an_independent_computation(half, district_dan):
    street, other_street = half
    expected = expected_rows()

    report = halfyear.half_year_report(district_id=street.district_id, year=2026, half=1)

    got = {
        r.village_code: {
            "q1": r.final(1),
            "q2": r.final(2),
            "mean": r.mean,
            "review": r.review,
            "raised": r.raised,
            "resolved": r.resolved,
        }
        for r in report.rows
    }
    assert got == expected
    assert {r.village_code: r.mean_shown for r in report.rows} == {
        code: shown(row["mean"]) for code, row in expected.items()
    }
    # 91.23 and 80.50: 85.865, shown half up.
    assert next(r for r in report.rows if r.village_code == "A").mean_shown == Decimal("85.87")
    assert report.review_published
    streets = {
        s.street: (s.secretaries, s.mean, s.points, s.review, s.raised, s.resolved)
        for s in report.streets
    }
    for name, codes in ((street.name, "ABC"), (other_street.name, "DE")):
        means = [expected[c]["mean"] for c in codes]
        reviews = [Fraction(expected[c]["review"]) for c in codes if expected[c]["review"]]
        assert streets[name] == (
            len(codes),
            sum(means) / len(means),
            len(reviews),
            sum(reviews) / len(reviews),
            sum(expected[c]["raised"] for c in codes),
            sum(expected[c]["resolved"] for c in codes),
        )


def test_the_page_shows_the_figures_and_a_street_staff_their_street_only(
    client, half, district_dan, street_staff_carol
):
    street, other_street = half
    client.force_login(district_dan)
    page = client.get(reverse("scoring:half_year"), {"year": 2026, "half": 1})
    assert {r.village_code for r in page.context["report"].rows} == set("ABCDE")
    html = page.content.decode()
    assert "85.87" in html and "93.10" in html and "乙街道" in html

    client.force_login(street_staff_carol)
    page = client.get(reverse("scoring:half_year"), {"year": 2026, "half": 1})
    assert {r.village_code for r in page.context["report"].rows} == set("ABC")
    assert [s.street for s in page.context["report"].streets] == [street.name]
    assert not page.context["may_create_review"]


def test_the_excel_file_holds_the_same_figures_with_chinese_headers(half, client, district_dan):
    client.force_login(district_dan)
    expected = expected_rows()

    response = client.get(
        reverse("scoring:half_year"),
        {"year": 2026, "half": 1, "format": "xlsx"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    # Named as the page is headed, in the reader's language, for the office's folder.
    district = district_dan.membership.district
    assert unquote(response["Content-Disposition"]) == (
        f"attachment; filename*=utf-8''{district.name}半年汇总 2026年上半年.xlsx"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["2026年上半年", "街道"]
    people = list(workbook["2026年上半年"].iter_rows(values_only=True))
    assert people[0] == (
        "街道",
        "村",
        "村代码",
        "书记",
        "第1季度总分",
        "第1季度等次",
        "第2季度总分",
        "第2季度等次",
        "两季度平均分",
        "观摩点评得分",
        "提出的问题",
        "本半年解决的问题",
    )
    by_code = {row[2]: row for row in people[1:]}
    for code, row in expected.items():
        cells = by_code[code]
        assert cells[4] == (float(row["q1"]) if row["q1"] is not None else None)
        assert cells[6] == (float(row["q2"]) if row["q2"] is not None else None)
        assert cells[8] == float(shown(row["mean"]))
        assert cells[9] == (float(row["review"]) if row["review"] is not None else None)
        assert cells[10:] == (row["raised"], row["resolved"])
    assert by_code["A"][5] == "优秀"
    streets = list(workbook["街道"].iter_rows(values_only=True))
    assert streets[0][0] == "街道"
    # By street name, as the page lists them.
    assert [row[0] for row in streets[1:]] == sorted(["甲街道", "乙街道"])
    by_street = {row[0]: row for row in streets[1:]}
    first = sum(expected[c]["mean"] for c in "ABC") / 3
    assert by_street["甲街道"][1:] == (3, float(shown(first)), 1, 93.1, 3, 2)  # A's and C's


@pytest.mark.parametrize("size", [1, 8])
def test_the_page_makes_a_bounded_number_of_queries(
    client, street, district_dan, django_assert_max_num_queries, size
):
    finals = {f"V{n}": "80.00" for n in range(size)}
    q1 = publish(street, 2026, 1, finals, district_dan)
    publish(street, 2026, 2, finals, district_dan)
    for n in range(size):
        raise_problems(q1, street, f"P{n}", ["open", "resolved"])
    client.force_login(district_dan)
    # session, user with their role, the documents, the problems, the half's review
    with django_assert_max_num_queries(5):
        response = client.get(reverse("scoring:half_year"), {"year": 2026, "half": 1})
    assert len(response.context["report"].rows) == 2 * size


@pytest.mark.parametrize("query", [{"year": "abc", "half": "1"}, {"year": 2026, "half": 3}, {}])
def test_a_half_that_cannot_be_opens_on_the_latest_published_half(
    client, street, district_dan, query
):
    publish(street, 2025, 3, {"A": "80.00"}, district_dan)
    client.force_login(district_dan)
    report = client.get(reverse("scoring:half_year"), query).context["report"]
    assert (report.year, report.half) == (2025, 2)


def test_only_staff_see_the_report(client, street, judge_bob):
    other = MembershipFactory(role="street_staff", street=StreetFactory(district=street.district))
    publish(street, 2026, 1, {"A": "80.00"}, judge_bob)
    client.force_login(judge_bob)
    assert client.get(reverse("scoring:half_year")).status_code == 404
    client.force_login(other.user)
    response = client.get(reverse("scoring:half_year"), {"year": 2026, "half": 1})
    assert response.context["report"].rows == []


def test_a_review_scored_on_the_same_sheets_gives_the_observation_point_score(
    client, street, district_dan
):
    """From end to end: the review is created, its points chosen, scored by a district panel on
    the usual sheets, closed and published; the report reads its published finals."""
    from competition import services as competition_services
    from competition.models import Judge
    from scoring.results.services import close_scoring, publish_competition
    from scoring.setup.services import create_review, open_scoring
    from scoring.sheets.services import save_sheet
    from tests.competition_setup import default_scheme
    from tests.factories import TenureFactory, UserFactory

    review = create_review(
        district=street.district,
        year=2026,
        half=2,
        scheme=default_scheme(),
        optional_codes=[],
        by=district_dan,
    )
    villages = [TenureFactory(village__street=street).village for _ in range(2)]
    for n, village in enumerate(villages, start=1):
        competition_services.add_observation_point(
            competition=review, village=village, visit_on=dt.date(2026, 9, n), by=district_dan
        )
    panel = [UserFactory(first_name=f"区评委{n}") for n in range(2)]
    for user in panel:
        competition_services.add_judge(
            competition=review, user=user, role=Judge.Role.DISTRICT, by=district_dan
        )
    open_scoring(competition=review, by=district_dan)
    # Five required items of 20 points: 18.5 each is 92.5 %, 17.5 each 87.5 %, and so on.
    given = {villages[0]: ["18.5", "17.5"], villages[1]: ["15.5", "15"]}
    for contestant in review.contestants.select_related("village"):
        for seat, points in zip(
            review.judges.order_by("pk"), given[contestant.village], strict=True
        ):
            save_sheet(
                judge=seat,
                contestant=contestant,
                points={c.code: points for c in review.criteria.all()},
                version=1,
                submit=True,
                by=seat.user,
            )
    close_scoring(competition=review, by=district_dan)
    publish_competition(competition=review, by=district_dan)

    report = halfyear.half_year_report(district_id=street.district_id, year=2026, half=2)

    scores = {r.village_code: r.review for r in report.rows}
    # The plain mean of two sheets (fewer than five: nothing trimmed); no democratic score.
    assert scores == {villages[0].code: Decimal("90.00"), villages[1].code: Decimal("76.25")}
    assert all(r.mean is None for r in report.rows)  # no published quarter yet
    assert [(s.points, s.review) for s in report.streets] == [(2, Fraction("83.125"))]
    # Its results, feedback sheets and notice are those of any competition.
    client.force_login(district_dan)
    contestant = review.contestants.first()
    for page in (
        reverse("scoring:results", args=[review.pk]),
        reverse("scoring:feedback", args=[review.pk, contestant.pk]),
        reverse("scoring:secretary", args=[contestant.secretary_id]),
        reverse("notice:printed", args=[review.pk]),
    ):
        assert client.get(page).status_code == 200, page
