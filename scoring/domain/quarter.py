"""From sheets and ballots to a quarter's final score, grade and rank; the cap, hand-set
grades, the order of the table and advancement to the district (DESIGN.md)."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy

from scoring.domain.points import Number, round2

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
    sheets, the single highest and single lowest are dropped (among equal percents, the greatest
    key as the highest and the smallest as the lowest: keys are judge ids, so the judge added
    last and the one added first), then the kept sheets are averaged with their role weights;
    with fewer sheets, all are averaged. When the kept sheets weigh nothing together (their
    roles weigh 0), there is no panel score. The mean averages all counted sheets with their
    weights; the median takes the middle percent, unweighted. Exact: not rounded. The
    disagreement is the standard deviation of the counted percents.
    """
    counted = [s for s in sheets if not s.observer]
    if not counted:
        return Panel(score=None, dropped=frozenset(), disagreement=None)
    disagreement = spread([s.percent for s in counted])
    if policy.aggregation == Aggregation.MEDIAN:
        return Panel(median([s.percent for s in counted]), frozenset(), disagreement)
    kept, dropped = counted, frozenset()
    if policy.aggregation == Aggregation.TRIMMED_MEAN and len(counted) >= policy.trim_min_sheets:
        ordered = sorted(counted, key=lambda s: (s.percent, s.key))
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


def band_missed(final: Number, policy: Policy) -> Decimal | None:
    """The band a final reaches when shown rounded to two places but not exactly (89.9988… is
    shown as 90.00 and is competent): what a reader must be told; None when the shown figure
    and the exact one earn the same grade."""
    shown = grade_for(round2(final), policy)
    if shown == grade_for(final, policy):
        return None
    return {
        Grade.EXCELLENT: policy.band_excellent,
        Grade.COMPETENT: policy.band_competent,
        Grade.BASIC: policy.band_basic,
    }[shown]


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


# What set a quarter's grade, as the results document records it per contestant.
SET_BY_VETO = "veto"
SET_BY_OVERRIDE = "override"
SET_BY_CAP = "cap"
# A veto or a manual override speaks about the secretary; the cap on excellent grades only
# about how many may be excellent in one competition, so it does not follow into the year.
CAPPING = (SET_BY_VETO, SET_BY_OVERRIDE)

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
