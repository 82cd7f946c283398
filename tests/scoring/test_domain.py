from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", "0.00"), ("20", "20.00"), ("17.5", "17.50"), (" 3 ", "3.00"), ("19.50", "19.50")],
)
def test_parse_points_accepts_half_steps_within_the_maximum(raw, expected):
    assert domain.parse_points(raw, Decimal(20)) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("20.5", "over_maximum"),
        ("100", "over_maximum"),
        ("-0.5", "negative"),
        ("17.3", "step"),
        ("abc", "number"),
        ("", "number"),
        ("NaN", "number"),
        ("Infinity", "number"),
        ("1e400", "number"),  # exponents are not typed numbers
        ("1e1", "number"),
        ("١٠", "number"),  # Arabic-Indic digits, which Decimal reads as 10
        ("１０", "number"),  # full-width digits
        ("+5", "number"),
    ],
)
def test_parse_points_refuses_what_a_judge_cannot_give(raw, reason):
    with pytest.raises(domain.PointsError) as error:
        domain.parse_points(raw, Decimal(20))
    assert error.value.reason == reason


@pytest.mark.parametrize(
    ("raw", "expected"), [(1, "1"), ("1.5", "1.5"), (0, "0"), (" 2 ", "2"), (0.25, "0.25")]
)
def test_parse_weight_accepts_numbers_and_numeric_strings_from_zero(raw, expected):
    assert domain.parse_weight(raw) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("abc", "number"),
        ("", "number"),
        (None, "number"),
        (True, "number"),
        ([1], "number"),
        ({"a": 1}, "number"),
        ("NaN", "number"),
        ("Infinity", "number"),
        (-5, "negative"),
        ("-0.5", "negative"),
    ],
)
def test_parse_weight_refuses_what_no_role_can_weigh(raw, reason):
    with pytest.raises(domain.WeightError) as error:
        domain.parse_weight(raw)
    assert error.value.reason == reason


def test_sheet_percent_compares_competitions_with_different_n():
    assert domain.sheet_percent(Decimal("99"), Decimal("110")) == Decimal("90.00")
    assert domain.sheet_percent(Decimal("103.5"), Decimal("110")) == Fraction(1035, 11)
    assert domain.round2(domain.sheet_percent(Decimal("103.5"), Decimal("110"))) == Decimal("94.09")
    assert domain.sheet_percent(Decimal("90"), Decimal("100")) == Decimal("90.00")


def test_round2_rounds_half_up():
    assert domain.round2(Decimal("2.345")) == Decimal("2.35")
    assert domain.round2(Decimal("2.344")) == Decimal("2.34")
    assert domain.round2(Decimal("-2.345")) == Decimal("-2.35")


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=9))
def test_sheet_percent_lies_between_0_and_100(halves):
    points = [Decimal(h) / 2 for h in halves]
    maximum = Decimal(20) * len(points)
    percent = domain.sheet_percent(domain.sheet_total(points), maximum)
    assert Decimal(0) <= percent <= Decimal(100)
