"""DESIGN.md "From scores to grades", rule by rule, on plain values: exact results, rounded once."""

from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scoring.domain import (
    Aggregation,
    Grade,
    Policy,
    QuarterGrade,
    SheetInput,
    annual_final,
    annual_grade,
    at_most,
    capped,
    democratic_score,
    democratic_veto,
    final_score,
    grade_for,
    panel_score,
    ranks,
    round2,
)

DEFAULT = Policy()


def sheets(*percents, observers=(), weights=None):
    weights = weights or {}
    return [
        SheetInput(
            key=i, percent=D(str(p)), weight=D(str(weights.get(i, 1))), observer=i in observers
        )
        for i, p in enumerate(percents)
    ]


def test_no_sheets_no_panel_score():
    assert panel_score([], DEFAULT).score is None
    assert panel_score(sheets(80, observers={0}), DEFAULT).score is None


def test_one_sheet_is_the_panel_score():
    panel = panel_score(sheets(87.5), DEFAULT)
    assert (panel.score, panel.dropped, panel.disagreement) == (D("87.50"), frozenset(), D("0.00"))


def test_four_sheets_are_averaged_five_are_trimmed():
    four = panel_score(sheets(70, 80, 90, 100), DEFAULT)
    assert (four.score, four.dropped) == (D("85.00"), frozenset())
    five = panel_score(sheets(60, 80, 85, 90, 100), DEFAULT)
    assert five.score == D("85.00")
    assert five.dropped == {0, 4}


def test_all_equal_sheets_drop_one_each_way_and_agree():
    panel = panel_score(sheets(88, 88, 88, 88, 88), DEFAULT)
    assert panel.score == D("88.00")
    assert len(panel.dropped) == 2
    assert panel.disagreement == D("0.00")


def test_among_tied_percents_the_greatest_key_is_the_highest_and_the_smallest_the_lowest():
    # Keys are judge ids, compared as numbers: 10 comes after 9 (as text it would not).
    tied = [SheetInput(key, D(percent)) for key, percent in ((9, "80"), (10, "80"), (11, "85"))]
    tied += [SheetInput(key, D(percent)) for key, percent in ((2, "95"), (12, "95"))]
    assert panel_score(tied, DEFAULT).dropped == {9, 12}


def test_observers_score_but_never_count():
    panel = panel_score(sheets(60, 80, 90, 20, observers={3}), DEFAULT)
    assert panel.score == Fraction(230, 3)  # (60 + 80 + 90) / 3, exact
    assert round2(panel.score) == D("76.67")
    assert panel.dropped == frozenset()


def test_role_weights_make_a_weighted_mean_of_the_kept_sheets():
    panel = panel_score(sheets(80, 90, weights={1: 2}), Policy(aggregation=Aggregation.MEAN))
    assert panel.score == Fraction(260, 3)  # (80 + 2·90) / 3
    assert round2(panel.score) == D("86.67")


def test_kept_sheets_that_weigh_nothing_give_no_panel_score():
    policy = Policy(aggregation=Aggregation.MEAN)
    assert panel_score(sheets(80, 90, weights={0: 0, 1: 0}), policy).score is None
    assert panel_score(sheets(80, 90, weights={0: 0}), policy).score == D("90.00")


def test_median_aggregation():
    policy = Policy(aggregation=Aggregation.MEDIAN)
    assert panel_score(sheets(60, 95, 80), policy).score == D("80.00")
    assert panel_score(sheets(60, 95, 80, 90), policy).score == D("85.00")


def test_disagreement_is_the_standard_deviation():
    assert panel_score(sheets(80, 90), DEFAULT).disagreement == D("5.00")


def test_democratic_score_counts_points_per_choice():
    counts = {"excellent": 20, "competent": 8, "basic": 2, "incompetent": 0}
    assert democratic_score(counts, DEFAULT) == D("92.00")  # (2000 + 640 + 120) / 30
    assert democratic_score({"excellent": 2, "competent": 1}, DEFAULT) == Fraction(280, 3)


def test_zero_ballots_no_democratic_score():
    assert democratic_score({}, DEFAULT) is None
    assert democratic_score({"excellent": 0}, DEFAULT) is None


def test_final_is_seventy_thirty_or_the_panel_alone():
    assert final_score(D("90.00"), D("80.00"), DEFAULT) == D("87.00")
    assert final_score(D("85.55"), None, DEFAULT) == D("85.55")  # democratic evaluation off
    assert final_score(None, D("80"), DEFAULT) is None
    assert final_score(D("88.885"), D("90.005"), DEFAULT) == D("89.221")  # 62.2195 + 27.0015
    assert round2(final_score(D("88.885"), D("90.005"), DEFAULT)) == D("89.22")


@pytest.mark.parametrize(
    ("final", "grade"),
    [
        (D("90"), Grade.EXCELLENT),
        (D("89.99"), Grade.COMPETENT),
        (D("70"), Grade.COMPETENT),
        (D("69.99"), Grade.BASIC),
        (D("60"), Grade.BASIC),
        (D("59.99"), Grade.INCOMPETENT),
        (D("0"), Grade.INCOMPETENT),
    ],
)
def test_grade_bands(final, grade):
    assert grade_for(final, DEFAULT) == grade


def test_more_than_a_third_incompetent_ballots_veto_to_incompetent():
    assert democratic_veto({"excellent": 20, "incompetent": 10}, DEFAULT) == (None, None)
    assert democratic_veto({"excellent": 19, "incompetent": 10}, DEFAULT) == (
        Grade.INCOMPETENT,
        "incompetent_share",
    )


def test_under_two_thirds_approval_caps_at_basic_competent():
    assert democratic_veto({"excellent": 10, "competent": 10, "basic": 10}, DEFAULT) == (
        None,
        None,
    )
    assert democratic_veto({"excellent": 10, "competent": 9, "basic": 11}, DEFAULT) == (
        Grade.BASIC,
        "approval_share",
    )
    assert at_most(Grade.EXCELLENT, Grade.BASIC) == Grade.BASIC
    assert at_most(Grade.INCOMPETENT, Grade.BASIC) == Grade.INCOMPETENT


def test_vetoes_can_be_turned_off():
    policy = Policy(veto_incompetent_share=None, veto_approval_share=None)
    assert democratic_veto({"incompetent": 30}, policy) == (None, None)


def test_ranks_share_ties_and_skip():
    assert ranks([D("95"), D("90"), D("90"), D("80"), None]) == [1, 2, 2, 4, None]


def test_cap_demotes_those_beyond_it_by_rank():
    ranked = [
        (1, Grade.EXCELLENT),
        (2, Grade.EXCELLENT),
        (3, Grade.EXCELLENT),
        (4, Grade.COMPETENT),
        (5, Grade.COMPETENT),
    ]
    assert capped(ranked, D("0.40")) == {2}  # 40 % of 5 = 2 may be excellent
    assert capped(ranked, None) == set()


def test_ties_at_the_cap_are_treated_alike():
    ranked = [
        (1, Grade.EXCELLENT),
        (2, Grade.EXCELLENT),
        (2, Grade.EXCELLENT),
        (4, Grade.COMPETENT),
        (5, Grade.COMPETENT),
    ]
    assert capped(ranked, D("0.40")) == {1, 2}


def test_a_veto_and_the_cap_on_the_same_contestant():
    # The veto already took excellent away: the cap has nothing left to take from them.
    ranked = [(1, at_most(Grade.EXCELLENT, Grade.BASIC)), (2, Grade.EXCELLENT)]
    assert capped(ranked, D("0.50")) == set()


def test_annual_final_is_the_mean_of_the_quarters():
    assert annual_final([D("90"), D("85.5"), D("88"), D("80")]) == D("85.875")
    assert round2(annual_final([D("90"), D("85.5"), D("88"), D("80")])) == D("85.88")
    assert annual_final([]) is None


def year(*quarters):
    """QuarterGrades from (final, grade, set_by) per quarter, Q1 first."""
    return [
        QuarterGrade(quarter=q, final=D(final), grade=Grade(grade), set_by=set_by)
        for q, (final, grade, set_by) in enumerate(quarters, start=1)
    ]


def test_a_quarter_vetoed_to_incompetent_makes_the_year_incompetent():
    quarters = year(
        ("85", "competent", None),
        ("85", "incompetent", "veto"),
        ("85", "competent", None),
        ("85", "competent", None),
    )
    result = annual_grade(quarters, DEFAULT)
    assert (result.final, result.grade) == (D("85.00"), Grade.INCOMPETENT)
    assert result.capped_by == quarters[1]


def test_a_quarter_set_by_hand_to_basic_caps_the_year_at_basic():
    quarters = year(("95", "excellent", None), ("92", "basic", "override"))
    result = annual_grade(quarters, DEFAULT)
    assert (result.final, result.grade, result.capped_by) == (D("93.50"), Grade.BASIC, quarters[1])


def test_a_cap_above_the_means_grade_changes_nothing_and_needs_no_reason():
    quarters = year(("65", "excellent", "override"), ("60", "basic", None))
    result = annual_grade(quarters, DEFAULT)
    assert result == annual_grade(quarters, Policy(annual_cap_by_quarter=False))
    assert (result.final, result.grade, result.capped_by) == (D("62.50"), Grade.BASIC, None)


def test_with_the_setting_off_the_year_is_graded_by_its_mean_only():
    quarters = year(("85", "incompetent", "veto"), ("85", "basic", "override"))
    result = annual_grade(quarters, Policy(annual_cap_by_quarter=False))
    assert (result.final, result.grade, result.capped_by) == (D("85.00"), Grade.COMPETENT, None)


def test_of_two_caps_the_lower_wins():
    quarters = year(
        ("91", "basic", "veto"),
        ("93", "incompetent", "override"),
        ("95", "basic", "override"),
    )
    result = annual_grade(quarters, DEFAULT)
    assert (result.grade, result.capped_by) == (Grade.INCOMPETENT, quarters[1])


def test_the_excellent_share_cap_and_unknown_quarters_do_not_cap_the_year():
    # A quarter demoted by the share cap was competent by number; a document published before
    # grades recorded what set them says nothing (None): neither caps the year.
    quarters = year(("95", "competent", "cap"), ("93", "competent", None))
    assert annual_grade(quarters, DEFAULT).grade == Grade.EXCELLENT


def test_no_quarterly_final_no_annual_grade():
    override_only = [QuarterGrade(quarter=1, final=None, grade=Grade.BASIC, set_by="override")]
    assert annual_grade(override_only, DEFAULT) == annual_grade([], DEFAULT)
    assert annual_grade([], DEFAULT).grade is None


@given(
    st.lists(
        st.tuples(
            st.decimals(0, 100, places=2),
            st.sampled_from(list(Grade)),
            st.sampled_from([None, "veto", "override", "cap"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_the_annual_cap_only_ever_lowers_the_grade(quarters):
    entries = year(*((str(f), g.value, s) for f, g, s in quarters))
    capped_year = annual_grade(entries, DEFAULT)
    by_mean = annual_grade(entries, Policy(annual_cap_by_quarter=False))
    assert capped_year.final == by_mean.final
    assert capped_year.grade.level <= by_mean.grade.level
    assert (capped_year.capped_by is None) == (capped_year.grade == by_mean.grade)


percent = st.decimals(min_value=0, max_value=100, places=2)


@given(st.lists(percent, min_size=1, max_size=9))
def test_a_trimmed_mean_lies_within_min_and_max(values):
    score = panel_score(sheets(*values), DEFAULT).score
    assert min(values) <= score <= max(values)


@given(st.lists(percent, min_size=1, max_size=9), st.integers(0, 8), percent)
def test_raising_one_judges_points_never_lowers_the_final(values, index, raise_by):
    assume(index < len(values))
    higher = list(values)
    higher[index] = min(D(100), higher[index] + raise_by)
    before = final_score(panel_score(sheets(*values), DEFAULT).score, D(80), DEFAULT)
    after = final_score(panel_score(sheets(*higher), DEFAULT).score, D(80), DEFAULT)
    assert after >= before


@given(st.lists(st.one_of(st.none(), percent), max_size=12))
def test_equal_finals_share_a_rank_and_ranks_follow_finals(finals):
    result = ranks(finals)
    pairs = [(f, r) for f, r in zip(finals, result, strict=True) if f is not None]
    for f1, r1 in pairs:
        for f2, r2 in pairs:
            assert (f1 == f2) == (r1 == r2)
            if f1 > f2:
                assert r1 < r2
    assert all(r is None for f, r in zip(finals, result, strict=True) if f is None)


@given(percent, percent)
def test_without_vetoes_the_grade_never_falls_as_the_final_rises(a, b):
    low, high = sorted((a, b))
    assert grade_for(high, DEFAULT).level >= grade_for(low, DEFAULT).level
