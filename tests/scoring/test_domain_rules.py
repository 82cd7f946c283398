"""The grading rules moved into scoring/domain/: database-free, each rule at its edges."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import domain
from scoring.domain import Grade
from scoring.models import TALLY_FIELDS, Ballot, GradeOverride, PaperTally

# Excellent, competent, basic competent, not competent.
E, C, B, N = Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC, Grade.INCOMPETENT


# ---- One list of grades ----


def test_grade_is_the_one_list_of_stored_values_and_names():
    assert Grade.values == ["excellent", "competent", "basic", "incompetent"]
    assert [str(label) for label in Grade.labels] == [
        "优秀",
        "称职",
        "基本称职",
        "不称职",
    ]
    assert [g.level for g in Grade] == [3, 2, 1, 0]


def test_ballots_and_overrides_offer_the_grades():
    assert Ballot.Choice is Grade
    assert GradeOverride._meta.get_field("grade").choices == Grade.choices
    assert PaperTally._meta.get_field("basic").verbose_name == Grade.BASIC.label


# ---- The cap, then hand-set grades ----


def test_settle_grades_caps_the_excellent_beyond_the_share():
    settled = domain.settle_grades(
        [(1, E, None), (2, E, None), (3, E, None), (4, C, None)], Decimal("0.5"), {}
    )
    assert [(s.grade, s.set_by, s.capped) for s in settled] == [
        (E, None, False),
        (E, None, False),
        (C, domain.SET_BY_CAP, True),
        (C, None, False),
    ]


def test_settle_grades_without_a_cap_changes_nothing():
    ranked = [(1, E, None), (2, B, domain.SET_BY_VETO), (None, None, None)]
    settled = domain.settle_grades(ranked, None, {})
    assert [(s.grade, s.set_by, s.capped, s.before_override) for s in settled] == [
        (E, None, False, None),
        (B, domain.SET_BY_VETO, False, None),
        (None, None, False, None),
    ]


def test_settle_grades_demotes_a_whole_tie_at_the_cap():
    settled = domain.settle_grades([(1, E, None), (1, E, None), (3, C, None)], Decimal("0.4"), {})
    assert [s.grade for s in settled] == [C, C, C]
    assert [s.capped for s in settled] == [True, True, False]


def test_settle_grades_an_override_wins_over_the_cap_and_records_the_capped_grade():
    settled = domain.settle_grades([(1, E, None), (2, E, None)], Decimal("0.5"), {1: E})
    assert settled[1] == domain.Settled(E, domain.SET_BY_OVERRIDE, True, C)


def test_settle_grades_an_override_wins_over_a_veto_and_over_no_grade():
    settled = domain.settle_grades(
        [(1, B, domain.SET_BY_VETO), (None, None, None)], None, {0: E, 1: N}
    )
    assert settled == [
        domain.Settled(E, domain.SET_BY_OVERRIDE, False, B),
        domain.Settled(N, domain.SET_BY_OVERRIDE, False, None),
    ]


# ---- The order of the table ----


def test_display_order_breaks_a_tied_final_by_panel_then_democratic_then_speaking_order():
    rows = {
        "no final": (None, None, None, 1),
        "lower final": (80, 99, 99, 1),
        "tie, lower panel": (90, 85, 99, 1),
        "tie, higher panel": (90, 88, 10, 9),
        "tie, same panel, lower democratic": (90, 87, 50, 1),
        "tie, same panel, higher democratic, spoke later": (90, 87, 60, 5),
        "tie, same panel, higher democratic, spoke first": (90, 87, 60, 2),
    }
    order = sorted(rows, key=lambda name: domain.display_order(*rows[name]))
    assert order == [
        "tie, higher panel",
        "tie, same panel, higher democratic, spoke first",
        "tie, same panel, higher democratic, spoke later",
        "tie, same panel, lower democratic",
        "tie, lower panel",
        "lower final",
        "no final",
    ]


def test_display_order_puts_a_final_of_zero_before_no_final():
    assert domain.display_order(0, None, None, 9) < domain.display_order(None, None, None, 1)


# ---- Advancement ----


def test_advancing_takes_the_best_ranked_excellent_up_to_k():
    contestants = [(C, 1, 1), (E, 3, 2), (E, 2, 3), (E, 4, 4), (None, None, 5)]
    assert domain.advancing(contestants, 2) == [2, 1]
    assert domain.advancing(contestants, 10) == [2, 1, 3]
    assert domain.advancing(contestants, 0) == []


def test_advancing_breaks_a_shared_rank_by_speaking_order_and_needs_excellent():
    assert domain.advancing([(E, 1, 7), (E, 1, 3), (E, None, 1)], 2) == [1, 0]
    assert domain.advancing([(C, 1, 1), (B, 2, 2)], 2) == []


# ---- Annual marks ----


@pytest.mark.parametrize(
    ("grade", "quarters", "last_year", "marks"),
    [
        (E, [E, E, C], None, (True, True, False)),
        (E, [E, E, B], None, (True, False, False)),  # a basic quarter keeps out of the pool
        (C, [C, C], C, (False, True, False)),
        (C, [], None, (False, True, False)),  # no graded quarter is none below competent
        (B, [C, C], None, (False, False, False)),
        (N, [N], N, (False, False, True)),
        (N, [N], None, (False, False, False)),  # no last year: no flag
        (N, [N], B, (False, False, False)),
    ],
)
def test_annual_marks(grade, quarters, last_year, marks):
    result = domain.annual_marks(grade, quarters, last_year)
    assert (result.commendation, result.reserve_pool, result.incompetent_two_years) == marks


# ---- Paper ballots ----


@pytest.mark.parametrize(
    ("present", "due", "quorum"),
    [(7, 10, True), (6, 9, False), (7, 9, True), (2, 3, False), (3, 3, True), (0, 0, False)],
)
def test_has_quorum_needs_more_than_two_thirds(present, due, quorum):
    assert domain.has_quorum(present=present, due=due) is quorum


@pytest.mark.parametrize(
    ("returned", "issued", "valid"), [(5, 5, True), (4, 5, True), (6, 5, False)]
)
def test_returns_valid_refuses_more_returned_than_issued(returned, issued, valid):
    assert domain.returns_valid(returned=returned, issued=issued) is valid


@pytest.mark.parametrize(
    ("present", "returned", "confirmed", "counts"),
    [(7, 7, True, True), (6, 6, True, False), (7, 8, True, False), (7, 7, False, False)],
)
def test_tally_counts_needs_quorum_valid_returns_and_a_confirmation(
    present, returned, confirmed, counts
):
    assert (
        domain.tally_counts(
            present=present, due=9, returned=returned, issued=7, confirmed=confirmed
        )
        is counts
    )


def tally(**changes):
    values = {
        "representatives_due": 10,
        "representatives_present": 8,
        "ballots_issued": 8,
        "ballots_returned": 8,
        "excellent": 4,
        "competent": 2,
        "basic": 1,
        "incompetent": 1,
    }
    return values | changes


def problems(values):
    return domain.tally_problems(values, fields=TALLY_FIELDS, maximum=100)


def test_tally_problems_accepts_counts_that_agree_at_every_edge():
    assert problems(tally()) == {}
    assert problems(tally(representatives_present=10, ballots_issued=10, ballots_returned=8)) == {}
    assert problems(tally(excellent=0, competent=0, basic=0, incompetent=0)) == {}


@pytest.mark.parametrize("value", [-1, 101, "3", None, 2.0])
def test_tally_problems_wants_whole_numbers_in_range_and_stops_there(value):
    # An out-of-range count hides the other checks: they would read it.
    assert problems(tally(basic=value, representatives_present=11)) == {
        "basic": ("range", {"max": 100})
    }


def test_tally_problems_reports_a_missing_field():
    values = tally()
    del values["ballots_issued"]
    assert problems(values) == {"ballots_issued": ("range", {"max": 100})}


def test_tally_problems_checks_the_counts_against_each_other():
    assert problems(tally(representatives_present=11)) == {
        "representatives_present": ("present_over_due", {}),
    }
    assert problems(tally(excellent=5)) == {
        "excellent": ("choices_over_returned", {"n": 9, "returned": 8}),
    }
    assert problems(tally(ballots_issued=9, ballots_returned=9)) == {
        "ballots_issued": ("issued_over_present", {}),
    }


@given(st.lists(st.integers(min_value=0, max_value=200), min_size=8, max_size=8))
def test_tally_problems_never_passes_counts_that_do_not_add_up(numbers):
    values = dict(zip(TALLY_FIELDS, numbers, strict=True))
    if not problems(values):
        assert values["representatives_present"] <= values["representatives_due"]
        assert sum(values[c] for c in domain.CHOICES) <= values["ballots_returned"]
        assert values["ballots_issued"] <= values["representatives_present"]
        assert max(numbers) <= 100


def test_a_fall_of_two_grades_is_from_one_quarter_to_the_very_next():
    E, C, B, I = Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC, Grade.INCOMPETENT  # noqa: E741
    assert domain.fell_two_grades([(2025, 4, E), (2026, 1, B)])  # Q4 to the next year's Q1
    assert domain.fell_two_grades([(2026, 1, C), (2026, 2, E), (2026, 3, B)])
    assert not domain.fell_two_grades([(2025, 4, C), (2026, 4, I)])  # a year apart
    assert not domain.fell_two_grades([(2026, 1, E), (2026, 2, C), (2026, 3, B)])  # one at a time
    assert not domain.fell_two_grades([(2026, 1, I), (2026, 2, E)])  # a rise
    assert not domain.fell_two_grades([])
