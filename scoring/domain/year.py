"""The year: annual finals and grades, and the "double hook" marks."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from scoring.domain.points import Number
from scoring.domain.quarter import CAPPING, Grade, Policy, at_most, grade_for


def mean_of(values: Iterable[Number]) -> Fraction | None:
    """The exact mean of some figures (a street's half-year means, its observation-point
    scores); None when there are none."""
    exact = [Fraction(v) for v in values]
    return sum(exact, Fraction(0)) / len(exact) if exact else None


def annual_final(quarterly: list[Number]) -> Fraction | None:
    """A secretary's annual final: the mean of the year's published quarterly finals, exact."""
    return mean_of(quarterly)


@dataclass(frozen=True)
class QuarterGrade:
    """One published quarter of a secretary, as the annual roll-up sees it."""

    quarter: int
    final: Decimal | None
    grade: Grade | None
    set_by: str | None = None  # SET_BY_VETO, SET_BY_OVERRIDE, SET_BY_CAP or None


@dataclass(frozen=True)
class AnnualGrade:
    final: Fraction | None  # exact: round2 it to show it
    grade: Grade | None
    # The quarter whose veto or override lowered the grade the mean alone would give; else None.
    capped_by: QuarterGrade | None = None


def annual_grade(quarters: Iterable[QuarterGrade], policy: Policy) -> AnnualGrade:
    """A secretary's annual final and grade (DESIGN.md rule 10).

    The annual final is the exact mean of the year's quarterly finals (as published), graded by
    the policy's bands.
    With `annual_cap_by_quarter` (on by default), a quarter whose grade was set by a democratic
    veto or a manual override caps the annual grade at that quarter's grade: the annual grade
    is at most the lowest such grade. `capped_by` names the quarter that lowered the grade (the
    lowest grade, then the earliest quarter), or is None when the mean's grade stands. With no
    quarterly final there is no annual final and no grade.
    """
    quarters = sorted(quarters, key=lambda q: q.quarter)
    final = annual_final([q.final for q in quarters if q.final is not None])
    if final is None:
        return AnnualGrade(final=None, grade=None)
    by_mean = grade_for(final, policy)
    if not policy.annual_cap_by_quarter:
        return AnnualGrade(final=final, grade=by_mean)
    ceilings = [q for q in quarters if q.set_by in CAPPING and q.grade is not None]
    if not ceilings:
        return AnnualGrade(final=final, grade=by_mean)
    lowest = min(ceilings, key=lambda q: (q.grade.level, q.quarter))
    grade = at_most(by_mean, lowest.grade)
    return AnnualGrade(final=final, grade=grade, capped_by=lowest if grade != by_mean else None)


# ---- The annual "double hook" marks ----

# Grades good enough for the reserve-cadre pool.
RESERVE_GRADES = (Grade.EXCELLENT, Grade.COMPETENT)


@dataclass(frozen=True)
class AnnualMarks:
    commendation: bool
    reserve_pool: bool
    incompetent_two_years: bool


def annual_marks(
    grade: Grade, quarter_grades: Iterable[Grade], last_year: Grade | None
) -> AnnualMarks:
    """What a secretary's annual grade earns or flags: commendation for an excellent year; the
    reserve-cadre pool for an excellent or competent year with no graded quarter below
    competent; a flag when this year and last year were both incompetent."""
    return AnnualMarks(
        commendation=grade == Grade.EXCELLENT,
        reserve_pool=grade in RESERVE_GRADES and all(g in RESERVE_GRADES for g in quarter_grades),
        incompetent_two_years=grade == Grade.INCOMPETENT and last_year == Grade.INCOMPETENT,
    )


def fell_two_grades(quarters: Iterable[tuple[int, int, Grade]]) -> bool:
    """A fall of two grades or more from one quarter to the very next: (year, quarter, grade)
    in time order. Across a gap of quarters without a grade, two grades are no such fall."""
    quarters = list(quarters)
    return any(
        after_year * 4 + after_q == year * 4 + q + 1 and grade.level - after.level >= 2
        for (year, q, grade), (after_year, after_q, after) in zip(
            quarters, quarters[1:], strict=False
        )
    )


# ---- The half year ----


def half_year_final(quarterly: list[Number]) -> Fraction | None:
    """A secretary's half-year figure: the exact mean of the half's published quarterly finals
    (one quarter's final when only one of the two was published); None with neither."""
    return mean_of(quarterly)
