"""The rules that turn points into numbers. Plain values in, plain values out: no ORM, no request.

Points are Decimals as judges give them. Everything computed from them — sheet percents, panel,
democratic and final scores, annual finals — is an exact `Fraction`: 370/480 of the points is
77.0833… exactly, not 77.08. Rounding happens in one place, `round2`, half up to two places, and
only when a figure is stored or shown; grades, vetoes and ranks read the exact values.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum
from fractions import Fraction

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

HUNDRED = Decimal(100)
STEP = Decimal("0.5")
CENT = Decimal("0.01")

Number = Decimal | Fraction | int


def round2(value: Number) -> Decimal:
    """Round half up (a tie away from zero) to two decimal places: the only rounding in Leitai.

    Takes the exact value, so 77.08333… is 77.08 and 88.885 is 88.89, never a rounded figure
    rounded again.
    """
    if isinstance(value, Decimal):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    hundredths = math.floor(abs(Fraction(value)) * 100 + Fraction(1, 2))
    return Decimal(-hundredths if value < 0 else hundredths).scaleb(-2)


class PointsError(ValueError):
    """Points a judge cannot give; the message says why (untranslated code, see `reason`)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]*)?|-?\.[0-9]+", re.ASCII)


def parse_points(raw: object, maximum: Decimal) -> Decimal:
    """Points for one criterion: a number from 0 to the criterion's maximum, in steps of 0.5.

    A typed value is plain decimal notation in the digits 0–9: digits of other scripts ("١٠",
    full-width "１０"), exponents ("1e1") and signs other than a leading minus are not numbers
    here, though Python's Decimal would read them.
    Raises PointsError with reason "number", "negative", "over_maximum" or "step".
    """
    if isinstance(raw, str) and not PLAIN_NUMBER.fullmatch(raw.strip()):
        raise PointsError("number")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise PointsError("number") from exc
    if not value.is_finite():
        raise PointsError("number")
    if value < 0:
        raise PointsError("negative")
    if value > maximum:
        raise PointsError("over_maximum")
    if value % STEP != 0:
        raise PointsError("step")
    return value.quantize(CENT)


class WeightError(ValueError):
    """A judge role weight the rules cannot use; `reason` is "number" or "negative"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_weight(raw: object) -> Decimal:
    """A judge role's weight: a finite number, or a string of one, of at least 0 (a role that
    weighs 0 scores but never counts). Raises WeightError with reason "number" or "negative"."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise WeightError("number")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise WeightError("number") from exc
    if not value.is_finite():
        raise WeightError("number")
    if value < 0:
        raise WeightError("negative")
    return value


# Trimming drops the highest and the lowest sheet: with fewer than three, nothing would be left.
TRIM_LEAST = 3


def sheet_total(points: Iterable[Decimal]) -> Decimal:
    """A sheet's total is the sum of its points."""
    return sum(points, Decimal(0))


def sheet_percent(total: Decimal, maximum: Decimal) -> Fraction:
    """A sheet's percent is its total ÷ the competition's maximum × 100, so that competitions
    with different N compare; exact (370 of 480 is 925/12, shown as 77.08)."""
    if maximum <= 0:
        raise ValueError("the competition has no points to give")
    return Fraction(total) / Fraction(maximum) * 100


# ---- From sheets and ballots to a final score, a grade and a rank (DESIGN.md) ----


class Aggregation(StrEnum):
    TRIMMED_MEAN = "trimmed_mean"
    MEAN = "mean"
    MEDIAN = "median"


class Grade(TextChoices):
    """The four grades, best first, with the names pages, ballots and exports give them.

    The one list of grades: sheets' grades, ballot choices and overrides all store these
    values. A choices enum only, so the rules stay free of the ORM."""

    EXCELLENT = "excellent", gettext_lazy("excellent")
    COMPETENT = "competent", gettext_lazy("competent")
    BASIC = "basic", gettext_lazy("basic competent")
    INCOMPETENT = "incompetent", gettext_lazy("incompetent")

    @property
    def level(self) -> int:
        """3 for excellent down to 0 for incompetent: higher is better."""
        return 3 - list(Grade).index(self)


CHOICES = tuple(Grade)


@dataclass(frozen=True)
class Policy:
    """Every setting of the rules; the defaults are DESIGN.md's."""

    aggregation: Aggregation = Aggregation.TRIMMED_MEAN
    trim_min_sheets: int = 5
    role_weights: tuple[tuple[str, Decimal], ...] = ()
    panel_weight: Decimal = Decimal("0.70")
    democratic_weight: Decimal = Decimal("0.30")
    democratic_points: tuple[tuple[str, Decimal], ...] = (
        ("excellent", Decimal(100)),
        ("competent", Decimal(80)),
        ("basic", Decimal(60)),
        ("incompetent", Decimal(0)),
    )
    band_excellent: Decimal = Decimal(90)
    band_competent: Decimal = Decimal(70)
    band_basic: Decimal = Decimal(60)
    # Shares as exact fractions: one third of 30 ballots is 10, not 9.999….
    veto_incompetent_share: Fraction | None = Fraction(1, 3)
    veto_approval_share: Fraction | None = Fraction(2, 3)
    excellent_cap: Decimal | None = None
    # A quarter whose grade a veto or a manual override set caps the annual grade (rule 10).
    annual_cap_by_quarter: bool = True

    def weight_of(self, role: str) -> Decimal:
        return dict(self.role_weights).get(role, Decimal(1))

    def points_of(self, choice: str) -> Decimal:
        return dict(self.democratic_points)[choice]


@dataclass(frozen=True)
class SheetInput:
    """One submitted sheet as the rules see it."""

    key: object  # identifies the sheet (a judge), for marking it dropped
    percent: Number
    weight: Number = 1
    observer: bool = False


@dataclass(frozen=True)
class Panel:
    score: Fraction | None
    dropped: frozenset
    disagreement: Decimal | None


def weighted_mean(values: list[tuple[Number, Number]]) -> Fraction:
    """Σ value·weight ÷ Σ weight; with equal weights, the plain mean. Exact."""
    total_weight = sum((Fraction(w) for _v, w in values), Fraction(0))
    if total_weight <= 0:
        raise ValueError("no weight to average over")
    return sum((Fraction(v) * Fraction(w) for v, w in values), Fraction(0)) / total_weight


def median(values: list[Number]) -> Fraction:
    """The middle value; with an even count, the mean of the two middle values. Exact."""
    ordered = sorted(Fraction(v) for v in values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def spread(values: list[Number]) -> Decimal | None:
    """The population standard deviation: how far the judges disagree, rounded half up to two
    places (a square root has no exact value; it is taken to 40 digits first). None for no
    sheets."""
    if not values:
        return None
    exact = [Fraction(v) for v in values]
    mean = sum(exact, Fraction(0)) / len(exact)
    variance = sum(((v - mean) ** 2 for v in exact), Fraction(0)) / len(exact)
    with localcontext() as context:
        context.prec = 40
        root = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
    return round2(root)


def panel_score(sheets: list[SheetInput], policy: Policy) -> Panel:
    """The panel score of a contestant, from the percents of the submitted sheets.

    Observers' sheets never count. With the trimmed mean and at least `trim_min_sheets` counted
    sheets, the single highest and single lowest are dropped (among equal percents, the later
    key is dropped), then the kept sheets are averaged with their role weights; with fewer
    sheets, all are averaged. When the kept sheets weigh nothing together (their roles weigh 0),
    there is no panel score. The mean averages all counted sheets with their weights; the
    median takes the middle percent, unweighted. Exact: not rounded. The disagreement is the
    standard deviation of the counted percents.
    """
    counted = [s for s in sheets if not s.observer]
    if not counted:
        return Panel(score=None, dropped=frozenset(), disagreement=None)
    disagreement = spread([s.percent for s in counted])
    if policy.aggregation == Aggregation.MEDIAN:
        return Panel(median([s.percent for s in counted]), frozenset(), disagreement)
    kept, dropped = counted, frozenset()
    if policy.aggregation == Aggregation.TRIMMED_MEAN and len(counted) >= policy.trim_min_sheets:
        ordered = sorted(counted, key=lambda s: (s.percent, str(s.key)))
        lowest, highest = ordered[0], ordered[-1]
        dropped = frozenset({lowest.key, highest.key})
        kept = ordered[1:-1]
    if sum((Fraction(s.weight) for s in kept), Fraction(0)) <= 0:
        # Every kept sheet is of a role that weighs 0: nothing counts, as with no sheet.
        return Panel(score=None, dropped=dropped, disagreement=disagreement)
    return Panel(weighted_mean([(s.percent, s.weight) for s in kept]), dropped, disagreement)


def democratic_score(counts: dict[str, int], policy: Policy) -> Fraction | None:
    """(100·excellent + 80·competent + 60·basic + 0·incompetent) ÷ valid ballots, with the
    policy's points per choice, exact; None when there is no valid ballot."""
    valid = sum(counts.get(choice, 0) for choice in CHOICES)
    if valid == 0:
        return None
    points = sum((Fraction(policy.points_of(c)) * counts.get(c, 0) for c in CHOICES), Fraction(0))
    return points / valid


def final_score(panel: Number | None, democratic: Number | None, policy: Policy) -> Fraction | None:
    """70 % panel + 30 % democratic (the policy's weights), from the exact panel and democratic
    scores; the panel alone when there is no democratic score (evaluation off, or no valid
    ballot). Exact: not rounded."""
    if panel is None:
        return None
    if democratic is None:
        return Fraction(panel)
    return Fraction(panel) * Fraction(policy.panel_weight) + Fraction(democratic) * Fraction(
        policy.democratic_weight
    )


def grade_for(final: Number, policy: Policy) -> Grade:
    """Excellent ≥ 90, competent ≥ 70, basic competent ≥ 60, else incompetent (policy bands),
    on the exact final: 89.996 is competent even though it is shown as 90.00."""
    if final >= policy.band_excellent:
        return Grade.EXCELLENT
    if final >= policy.band_competent:
        return Grade.COMPETENT
    if final >= policy.band_basic:
        return Grade.BASIC
    return Grade.INCOMPETENT


def democratic_veto(counts: dict[str, int], policy: Policy) -> tuple[Grade | None, str | None]:
    """The democratic vetoes: incompetent ballots over one third of valid ballots make the grade
    incompetent ("incompetent_share"); excellent + competent ballots under two thirds make it at
    most basic competent ("approval_share"). Returns the grade ceiling and which veto, or None."""
    valid = sum(counts.get(choice, 0) for choice in CHOICES)
    if valid == 0:
        return None, None
    share = policy.veto_incompetent_share
    if share is not None and counts.get("incompetent", 0) > share * valid:
        return Grade.INCOMPETENT, "incompetent_share"
    approval = counts.get("excellent", 0) + counts.get("competent", 0)
    if policy.veto_approval_share is not None and approval < policy.veto_approval_share * valid:
        return Grade.BASIC, "approval_share"
    return None, None


def at_most(grade: Grade, ceiling: Grade | None) -> Grade:
    """The lower of a grade and a ceiling."""
    if ceiling is None or grade.level <= ceiling.level:
        return grade
    return ceiling


def ranks(finals: list[Number | None]) -> list[int | None]:
    """Rank by exact final score, descending; equal finals share a rank (1, 2, 2, 4). No final,
    no rank."""
    present = sorted((f for f in finals if f is not None), reverse=True)
    first = {}
    for position, final in enumerate(present, start=1):
        first.setdefault(final, position)
    return [first[f] if f is not None else None for f in finals]


def capped(ranked: list[tuple[int | None, Grade]], cap: Decimal | None) -> set[int]:
    """Which entries (by index) lose excellent to the cap on the share of excellent grades.

    At most floor(cap × contestants) may be excellent; those beyond it, by rank, become
    competent. Contestants sharing a rank at the boundary are treated alike: if all of them
    would not fit, all of them become competent (the cap is a maximum).
    """
    if cap is None:
        return set()
    allowed = int((cap * len(ranked)).to_integral_value(rounding=ROUND_FLOOR))
    excellent = sorted(
        (rank, index) for index, (rank, grade) in enumerate(ranked) if grade == Grade.EXCELLENT
    )
    kept, demoted = 0, set()
    by_rank: dict[int | None, list[int]] = {}
    for rank, index in excellent:
        by_rank.setdefault(rank, []).append(index)
    for _rank, indexes in sorted(by_rank.items(), key=lambda item: (item[0] is None, item[0])):
        if kept + len(indexes) <= allowed:
            kept += len(indexes)
        else:
            demoted.update(indexes)
            allowed = kept  # nobody below a demoted tie may stay excellent
    return demoted


def annual_final(quarterly: list[Number]) -> Fraction | None:
    """A secretary's annual final: the mean of the year's published quarterly finals, exact."""
    if not quarterly:
        return None
    return sum((Fraction(q) for q in quarterly), Fraction(0)) / len(quarterly)


# What set a quarter's grade, as the results document records it per contestant.
SET_BY_VETO = "veto"
SET_BY_OVERRIDE = "override"
SET_BY_CAP = "cap"
# A veto or a manual override speaks about the secretary; the cap on excellent grades only
# about how many may be excellent in one competition, so it does not follow into the year.
CAPPING = (SET_BY_VETO, SET_BY_OVERRIDE)


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


# ---- The results document: the cap, hand-set grades and the order of the table ----


@dataclass(frozen=True)
class Settled:
    """A contestant's grade once the cap and any hand-set grade have been applied."""

    grade: Grade | None
    set_by: str | None
    capped: bool  # the cap turned this excellent into competent
    before_override: Grade | None  # what a hand-set grade replaced (after the cap)


def settle_grades(
    ranked: list[tuple[int | None, Grade | None, str | None]],
    cap: Decimal | None,
    overrides: dict[int, Grade],
) -> list[Settled]:
    """Each entry's (rank, grade from the bands and vetoes, what set it) after the cap, then
    the overrides (by index).

    The cap comes first (`capped`): an excellent beyond it becomes competent, set by the cap.
    A grade set by hand comes last and wins over everything, even a veto or the cap; it
    records the grade it replaced.
    """
    demoted = capped([(rank, grade) for rank, grade, _set_by in ranked], cap)
    settled = []
    for index, (_rank, grade, set_by) in enumerate(ranked):
        is_capped = index in demoted
        if is_capped:
            grade, set_by = Grade.COMPETENT, SET_BY_CAP
        before = None
        if index in overrides:
            before, grade, set_by = grade, overrides[index], SET_BY_OVERRIDE
        settled.append(Settled(grade, set_by, is_capped, before))
    return settled


def display_order(
    final: Number | None, panel: Number | None, democratic: Number | None, order: int | None
) -> tuple:
    """The sort key of the results table: the highest exact final first, those without a final
    last; a tie on the final goes to the higher panel score, then the higher democratic
    score, then the earlier speaking order. Ranks are shared (`ranks`); only the display
    order breaks ties."""
    return (final is None, -(final or 0), -(panel or 0), -(democratic or 0), order or 0)


# ---- Advancement from a street to the district ----


def advancing(contestants: list[tuple[Grade | None, int | None, int | None]], k: int) -> list[int]:
    """Which of a published street competition's (grade, rank, speaking order) entries, by
    index, are recommended to the district level: its excellent contestants, best rank first
    (ties by speaking order), at most K of them."""
    excellent = [
        i for i, (grade, _rank, _order) in enumerate(contestants) if grade == Grade.EXCELLENT
    ]
    excellent.sort(key=lambda i: (contestants[i][1] or 10**6, contestants[i][2] or 0))
    return excellent[:k]


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


# ---- Paper ballots ----


def has_quorum(*, present: int, due: int) -> bool:
    """A representatives' meeting has its quorum when more than two thirds of the
    representatives due were present (exactly two thirds is not enough)."""
    return present * 3 > due * 2


def returns_valid(*, returned: int, issued: int) -> bool:
    """More ballots returned than handed out voids the vote; as many or fewer is valid."""
    return returned <= issued


def tally_counts(*, present: int, due: int, returned: int, issued: int, confirmed: bool) -> bool:
    """A paper tally counts only when its meeting had the quorum, its returns are valid and a
    second person confirmed its counts by typing them blind."""
    return (
        has_quorum(present=present, due=due)
        and returns_valid(returned=returned, issued=issued)
        and confirmed
    )


def tally_problems(
    values: dict[str, object], *, fields: Iterable[str], maximum: int
) -> dict[str, tuple[str, dict[str, int]]]:
    """What is wrong with a paper tally's counts, by field: (problem code, its figures); empty
    when the tally can be stored.

    Every field must be a whole number from 0 to `maximum` ("range"); only when all are, the
    counts must agree: no more present than due ("present_over_due"), no more choices than
    ballots returned ("choices_over_returned", on the excellent field), no more ballots
    handed out than representatives present ("issued_over_present")."""
    problems: dict[str, tuple[str, dict[str, int]]] = {}
    for name in fields:
        value = values.get(name)
        if not isinstance(value, int) or not 0 <= value <= maximum:
            problems[name] = ("range", {"max": maximum})
    if problems:
        return problems
    if values["representatives_present"] > values["representatives_due"]:
        problems["representatives_present"] = ("present_over_due", {})
    counted = sum(values[c] for c in CHOICES)
    if counted > values["ballots_returned"]:
        problems[Grade.EXCELLENT.value] = (
            "choices_over_returned",
            {"n": counted, "returned": values["ballots_returned"]},
        )
    if values["ballots_issued"] > values["representatives_present"]:
        problems["ballots_issued"] = ("issued_over_present", {})
    return problems
