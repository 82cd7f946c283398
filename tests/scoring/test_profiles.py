"""Secretary and village profiles: the record across quarters, flags, problems, permissions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competition.models import Contestant, Problem, problem_key
from tests.factories import SecretaryFactory, TenureFactory
from tests.scoring.test_rankings import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(street, district_dan):
    """A secretary led 杜家庄子村 through two years: good, then falling."""
    tenure = TenureFactory(
        village__street=street,
        village__code="D1",
        village__name="杜家庄子村",
        secretary__name="书记D1",
    )
    finals = {
        (2025, 1): "92.00",
        (2025, 2): "91.00",
        (2025, 3): "58.00",
        (2025, 4): "55.00",
        (2026, 1): "50.00",
        (2026, 2): "52.00",
    }
    for (year, quarter), final in finals.items():
        competition = publish(street, year, quarter, {"D1": final}, district_dan)
        Contestant.objects.create(
            competition=competition, secretary=tenure.secretary, village=tenure.village, order=1
        )
        if (year, quarter) == (2025, 3):
            Problem.objects.create(
                competition=competition,
                contestant=competition.contestants.get(),
                village=tenure.village,
                text="集体收入下降",
                text_key=problem_key("集体收入下降"),
                due=dt.date(2025, 12, 31),
            )
    return tenure


def test_secretary_profile_shows_every_quarter_flags_and_problems(client, district_dan, history):
    client.force_login(district_dan)
    response = client.get(
        reverse("scoring:secretary", args=[history.secretary.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    record = response.context["record"]
    assert [(e.year, e.quarter, e.final, e.grade) for e in record.entries] == [
        (2025, 1, Decimal("92.00"), "excellent"),
        (2025, 2, Decimal("91.00"), "excellent"),
        (2025, 3, Decimal("58.00"), "incompetent"),
        (2025, 4, Decimal("55.00"), "incompetent"),
        (2026, 1, Decimal("50.00"), "incompetent"),
        (2026, 2, Decimal("52.00"), "incompetent"),
    ]
    # 2025: (92 + 91 + 58 + 55) / 4 = 74.00, competent; 2026: 51.00, incompetent — not two
    # incompetent years; but excellent → incompetent is a fall of three grades.
    assert record.flags == ["fell_two_grades"]
    page = response.content.decode()
    assert "集体收入下降" in page and "<polyline" in page
    assert len(response.context["trend"]["marks"]) == 6
    assert "Fell two grades" in page


def test_two_incompetent_years_are_flagged(client, district_dan, history, street):
    publish(street, 2024, 4, {"D1": "40.00"}, district_dan)  # no contestant row: not theirs
    from scoring import domain
    from scoring.reports import profiles

    entries = profiles.secretary_record(history.secretary, domain.Policy()).entries
    entries[0].final = entries[1].final = Decimal("50")
    entries[0].grade = entries[1].grade = "incompetent"
    assert "incompetent_two_years" in profiles.flags(entries, domain.Policy())


def test_a_vetoed_quarter_each_year_flags_two_incompetent_years_as_the_annual_report_does(
    street, district_dan
):
    from scoring import domain
    from scoring.reports import profiles

    tenure = TenureFactory(village__street=street, village__code="V1")
    for year in (2025, 2026):
        for quarter, grade, set_by in ((1, "incompetent", {"V1": "veto"}), (2, None, None)):
            competition = publish(
                street, year, quarter, {"V1": "85.00"}, district_dan, {"V1": grade}, set_by
            )
            Contestant.objects.create(
                competition=competition, secretary=tenure.secretary, village=tenure.village
            )

    record = profiles.secretary_record(tenure.secretary, domain.Policy())
    assert [e.grade_set_by for e in record.entries] == ["veto", None, "veto", None]
    # Each year's mean is 85.00, competent; the vetoed quarter caps it at incompetent.
    assert "incompetent_two_years" in record.flags
    uncapped = domain.Policy(annual_cap_by_quarter=False)
    assert "incompetent_two_years" not in profiles.flags(record.entries, uncapped)


def test_village_profile_lists_its_secretaries_over_time(client, street_staff_carol, history):
    successor = SecretaryFactory(name="新书记")
    history.end = dt.date(2026, 6, 30)
    history.save()
    TenureFactory(village=history.village, secretary=successor, start=dt.date(2026, 7, 1))
    client.force_login(street_staff_carol)
    page = client.get(reverse("scoring:village", args=["D1"])).content.decode()
    assert page.index("新书记") < page.index("书记D1")
    assert "集体收入下降" in page


def test_profiles_are_for_staff_who_may_see_the_village(client, history, judge_bob, other_street):
    from tests.factories import MembershipFactory

    stranger = MembershipFactory(role="street_staff", street=other_street).user
    for user in (judge_bob, stranger):
        client.force_login(user)
        assert (
            client.get(reverse("scoring:secretary", args=[history.secretary.pk])).status_code == 404
        )
        assert client.get(reverse("scoring:village", args=["D1"])).status_code == 404


@pytest.mark.parametrize("quarters", [2, 8])
def test_secretary_profile_makes_a_fixed_number_of_queries(client, street, district_dan, quarters):
    tenure = TenureFactory(village__street=street, village__code="Q1")
    for n in range(quarters):
        competition = publish(street, 2020 + n // 4, n % 4 + 1, {"Q1": "80.00"}, district_dan)
        Contestant.objects.create(
            competition=competition, secretary=tenure.secretary, village=tenure.village, order=1
        )
    client.force_login(district_dan)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("scoring:secretary", args=[tenure.secretary.pk]))
    assert len(response.context["record"].entries) == quarters
    # session, user with their role, secretary, tenures, policy, contestants, publications,
    # criterion names in the reader's language, problems
    assert len(queries) == 9, [q["sql"][:60] for q in queries]


def test_a_long_trend_labels_every_so_many_quarters_back_from_the_latest():
    from scoring.reports.profile_views import _trend

    def shown(n):
        marks = _trend([(f"2026 Q{i}", Decimal("80.00")) for i in range(n)])["marks"]
        return [(float(m["x"]), m["label"], m["final"]) for m in marks]

    # Six quarters fit: each has its label and its final.
    assert all(label and final for _x, label, final in shown(6))
    twelve = shown(12)
    labelled = [(x, label) for x, label, _final in twelve if label]
    assert labelled[-1][1] == "2026 Q11"  # the latest is always labelled
    assert len(labelled) == 4
    assert min(b[0] - a[0] for a, b in zip(labelled, labelled[1:], strict=False)) >= 48
    # Finals crowd as labels do: only the labelled quarters show theirs.
    assert [final is not None for _x, label, final in twelve] == [
        bool(label) for _x, label, _f in twelve
    ]


def test_a_fall_of_two_grades_counts_only_from_one_quarter_to_the_very_next():
    from scoring import domain
    from scoring.reports import profiles

    def entry(year, quarter, grade):
        return profiles.Entry(
            competition_id=0, title="", year=year, quarter=quarter, level="street", village="",
            rank=None, final=Decimal("80"), grade=grade, averages={},
        )  # fmt: skip

    policy = domain.Policy()
    # 2025 Q4 competent, then nothing until 2026 Q4 incompetent: a year apart, not adjacent.
    assert (
        profiles.flags([entry(2025, 4, "competent"), entry(2026, 4, "incompetent")], policy) == []
    )
    # Q4 to the next year's Q1 is adjacent.
    fell = [entry(2025, 4, "excellent"), entry(2026, 1, "basic")]
    assert profiles.flags(fell, policy) == ["fell_two_grades"]
    # A fall of one grade is not flagged.
    assert profiles.flags([entry(2026, 1, "excellent"), entry(2026, 2, "competent")], policy) == []
