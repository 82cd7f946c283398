"""Round once (DESIGN.md rule 4): every figure is computed exactly from the points and rounded half
up to two places only when it is stored or shown; grades and vetoes read the exact values."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from competition import services as competition_services
from scoring import domain
from scoring.domain import Grade, Policy, SheetInput
from scoring.models import Ballot
from scoring.results import document as results
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring
from tests.factories import UserFactory

DEFAULT = Policy()
D = Decimal


def half_up(value: Fraction) -> Decimal:
    """An independent rounding: the exact value written out to 60 digits, then quantized."""
    with localcontext() as context:
        context.prec = 60
        written = Decimal(value.numerator) / Decimal(value.denominator)
    return written.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(925, 12), "77.08"),  # 370 of 480 points: 77.0833…
        (Fraction(77125, 1000), "77.13"),  # exactly 77.125: a tie goes up
        (Fraction(88885, 1000), "88.89"),
        (Fraction(1, 3) * 100, "33.33"),
        (Fraction(2, 3) * 100, "66.67"),
        (Fraction(89995, 1000), "90.00"),
        (Fraction(899949, 10000), "89.99"),
        (Fraction(0), "0.00"),
        (Fraction(-2345, 1000), "-2.35"),
    ],
)
def test_round2_rounds_the_exact_value_half_up_once(value, shown):
    assert domain.round2(value) == D(shown)
    assert f"{domain.round2(value):.2f}" == shown


def test_a_sheet_percent_is_exact():
    assert domain.sheet_percent(D("370"), D("480")) == Fraction(925, 12)
    assert domain.round2(domain.sheet_percent(D("370"), D("480"))) == D("77.08")


def test_the_panel_averages_exact_percents_not_rounded_ones():
    # 80, 80 and 82 of 110 points: 72.7272…, 72.7272…, 74.5454…; their mean is exactly 73⅓.
    # Averaging the rounded percents (72.73 + 72.73 + 74.55) / 3 would give 73.34.
    percents = [domain.sheet_percent(D(t), D(110)) for t in (80, 80, 82)]
    panel = domain.panel_score([SheetInput(i, p) for i, p in enumerate(percents)], DEFAULT)
    assert panel.score == Fraction(220, 3)
    assert domain.round2(panel.score) == D("73.33")


def test_the_final_is_built_from_the_exact_panel_and_democratic_scores():
    # 0.7 × 73⅓ + 0.3 × 93⅓ = 79⅓ exactly; from the rounded parts (73.34, 93.33) it is 79.34.
    democratic = domain.democratic_score({"excellent": 2, "competent": 1}, DEFAULT)
    assert democratic == Fraction(280, 3)
    final = domain.final_score(Fraction(220, 3), democratic, DEFAULT)
    assert final == Fraction(238, 3)
    assert domain.round2(final) == D("79.33")


def test_exactly_ninety_is_excellent_and_just_below_is_not_even_when_shown_as_ninety():
    # A panel of 600/7 (85.714…) and a democratic 100 make exactly 90.
    assert domain.final_score(Fraction(600, 7), Fraction(100), DEFAULT) == 90
    assert domain.grade_for(Fraction(90), DEFAULT) == Grade.EXCELLENT
    just_below = Fraction(89995, 1000)
    assert domain.round2(just_below) == D("90.00")
    assert domain.grade_for(just_below, DEFAULT) == Grade.COMPETENT
    assert domain.grade_for(Fraction(69995, 1000), DEFAULT) == Grade.BASIC
    assert domain.grade_for(Fraction(59995, 1000), DEFAULT) == Grade.INCOMPETENT


def test_the_band_a_rounded_final_seems_to_reach_is_named_only_when_the_exact_one_misses_it():
    assert domain.band_missed(Fraction(89995, 1000), DEFAULT) == D("90")
    assert domain.band_missed(Fraction(69995, 1000), DEFAULT) == D("70")
    assert domain.band_missed(Fraction(59995, 1000), DEFAULT) == D("60")
    # Rounded down, or exactly on a band, or far from one: the shown figure tells the truth.
    assert domain.band_missed(Fraction(89994, 1000), DEFAULT) is None
    assert domain.band_missed(Fraction(90), DEFAULT) is None
    assert domain.band_missed(Fraction(7512, 100), DEFAULT) is None


def test_exactly_one_third_incompetent_and_exactly_two_thirds_approval_are_no_veto():
    assert domain.democratic_veto({"competent": 20, "incompetent": 10}, DEFAULT) == (None, None)
    assert domain.democratic_veto({"competent": 20, "incompetent": 11}, DEFAULT)[1] == (
        "incompetent_share"
    )
    assert domain.democratic_veto({"competent": 20, "basic": 10}, DEFAULT) == (None, None)
    assert domain.democratic_veto({"competent": 20, "basic": 11}, DEFAULT)[1] == "approval_share"


def test_the_annual_final_is_graded_on_its_exact_mean():
    # (89.99 + 90 + 90) / 3 = 89.9966…: shown 90.00, graded competent.
    annual = domain.annual_final([D("89.99"), D("90.00"), D("90.00")])
    assert domain.round2(annual) == D("90.00")
    assert domain.grade_for(annual, DEFAULT) == Grade.COMPETENT


totals = st.lists(st.integers(min_value=0, max_value=220), min_size=1, max_size=9)
ballots = st.fixed_dictionaries(
    {c: st.integers(min_value=0, max_value=40) for c in ("excellent", "competent", "basic")}
)


@given(totals, ballots)
def test_panel_and_final_equal_the_exact_value_rounded_once(halves, counts):
    maximum = D(110)
    points = [D(h) / 2 for h in halves]
    sheets = [SheetInput(i, domain.sheet_percent(p, maximum)) for i, p in enumerate(points)]
    panel = domain.panel_score(sheets, DEFAULT).score
    democratic = domain.democratic_score(counts, DEFAULT)
    final = domain.final_score(panel, democratic, DEFAULT)

    # The same rules, computed independently on fractions of the points.
    exact = sorted(Fraction(p) / 110 * 100 for p in points)
    if len(exact) >= 5:
        exact = exact[1:-1]
    exact_panel = sum(exact) / len(exact)
    valid = sum(counts.values())
    exact_final = exact_panel
    if valid:
        exact_democratic = Fraction(
            100 * counts["excellent"] + 80 * counts["competent"] + 60 * counts["basic"], valid
        )
        exact_final = exact_panel * Fraction(7, 10) + exact_democratic * Fraction(3, 10)
    assert domain.round2(panel) == half_up(exact_panel)
    assert domain.round2(final) == half_up(exact_final)
    assert domain.grade_for(final, DEFAULT) == domain.grade_for(exact_final, DEFAULT)


@pytest.mark.django_db
def test_the_document_shows_the_exact_panel_and_final_rounded_once(street_staff_carol):
    judges = [UserFactory(first_name=f"评委{i}") for i in range(3)]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=judges,
        contestants=1,
        optional=("governance",),  # 5 × 20 + 10 = 110 points
    )
    contestant = competition.contestants.get()
    required = [c.code for c in competition.criteria.filter(required=True)]
    for seat, extra in zip(competition.judges.order_by("pk"), (0, 0, 2), strict=True):
        points = dict.fromkeys(required, "16") | {"governance": str(extra)}
        save_sheet(
            judge=seat, contestant=contestant, points=points, version=1, submit=True, by=seat.user
        )
    for choice in ("excellent", "excellent", "competent"):
        Ballot.objects.create(contestant=contestant, choice=choice, cast_on=dt.date(2026, 12, 1))
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)

    row = results.build_document(competition)["contestants"][0]

    assert [s["percent"] for s in row["sheets"]] == ["72.73", "72.73", "74.55"]
    assert row["panel_score"] == "73.33"  # not 73.34, the mean of the rounded percents
    assert row["democratic"]["score"] == "93.33"
    assert row["final_score"] == "79.33"  # not 79.34, built from the rounded parts
    assert row["grade"] == "competent"


@pytest.mark.django_db
def test_a_rank_below_a_final_shown_the_same_is_explained_by_the_exact_values(street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, contestants=2
    )
    seat = competition.judges.get()
    first, second = competition.contestants.order_by("order")
    required = [c.code for c in competition.criteria.filter(required=True)]
    # 76 of 110 with 4 excellent and 5 competent ballots: 75.0303…; 77.5 with 2 and 5: 75.0324….
    for contestant, last, excellent in ((first, "12", 4), (second, "13.5", 2)):
        points = dict.fromkeys(required, "16") | {required[-1]: last, "governance": "0"}
        save_sheet(
            judge=seat, contestant=contestant, points=points, version=1, submit=True, by=seat.user
        )
        for choice in ["excellent"] * excellent + ["competent"] * 5:
            Ballot.objects.create(
                contestant=contestant, choice=choice, cast_on=dt.date(2026, 12, 1)
            )
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)

    top, below = results.build_document(competition)["contestants"]

    assert (top["secretary"], top["final_score"], top["rank"]) == (
        second.secretary.name,
        "75.03",
        1,
    )
    assert (below["final_score"], below["rank"]) == ("75.03", 2)
    assert {"code": "rank_exact", "shown": "75.03", "rank": 2, "above_rank": 1} | {
        "exact": "75.0303",
        "above": "75.0324",
    } in below["reasons"]
    assert not any(r["code"] == "rank_exact" for r in top["reasons"])
    with translation.override("zh-hans"):
        assert results.reason_text(below["reasons"][-1]) == (
            "显示为 75.03，与第 1 名相同，"
            "但最终得分的精确值 75.0303… 低于 75.0324…：名次为第 2 名。"
        )
