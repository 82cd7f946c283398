"""The district dashboard: every number of one period, in a fixed number of queries.

Finals and grades come from published documents (as the rankings read them); problems and
judges' progress are counted in SQL. Nothing here grows with the size of the district.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from competition.models import Competition, Contestant, Judge, Problem
from scoring import domain
from scoring.models import ScoreSheet
from scoring.reports.rankings import latest_documents
from villages.models import Street

GRADES = [grade.value for grade in domain.Grade]


def _mean(finals: list[Decimal]) -> Decimal | None:
    """The plain mean of finals, rounded half up to two places; None when there are none."""
    return domain.round2(sum(finals, Decimal(0)) / len(finals)) if finals else None


def _finals(document: dict) -> list[Decimal]:
    return [Decimal(r["final_score"]) for r in document["contestants"] if r["final_score"]]


@dataclass
class StreetRow:
    name: str
    finals: list[Decimal] = field(default_factory=list)
    grade_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    published_in_quarter: int = 0
    published_in_year: int = 0

    @property
    def average(self) -> Decimal | None:
        return _mean(self.finals)

    @property
    def grades(self) -> list[tuple[str, int]]:
        return [(code, self.grade_counts[code]) for code in GRADES]


@dataclass(frozen=True)
class ProblemRow:
    street: str
    raised: int
    open: int
    in_progress: int
    resolved: int
    overdue: int


@dataclass(frozen=True)
class CompletionRow:
    competition_id: int
    level: str
    street: str | None
    submitted: int
    expected: int

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0

    @property
    def label(self) -> str:
        """The street, or the district's kind of competition, in the reader's language."""
        if self.street:
            return self.street
        if self.level == "review":
            return pgettext("competition level", "half-year review")
        return _("district level")


@dataclass
class Dashboard:
    year: int
    quarter: int
    grade_counts: dict[str, int]
    streets: list[StreetRow]
    averages: dict[int, Decimal | None]  # quarter → the district's average final of this year
    previous_averages: dict[int, Decimal | None]  # … and of the previous year
    problems: list[ProblemRow]
    completion: list[CompletionRow]

    @property
    def graded(self) -> int:
        return sum(self.grade_counts.values())

    @property
    def grades(self) -> list[tuple[str, int]]:
        return [(code, self.grade_counts[code]) for code in GRADES]


def _averages(documents: list[dict]) -> dict[int, Decimal | None]:
    by_quarter: dict[int, list[Decimal]] = {q: [] for q in range(1, 5)}
    for document in documents:
        by_quarter[document["competition"]["quarter"]] += _finals(document)
    return {q: _mean(finals) for q, finals in by_quarter.items()}


def _streets(district_id: int, year_documents: list[dict], quarter: int) -> list[StreetRow]:
    rows = {
        name: StreetRow(name)
        for name in Street.objects.filter(district_id=district_id)
        .order_by("name")
        .values_list("name", flat=True)
    }
    for document in year_documents:
        name = document["competition"]["street"]
        row = rows.setdefault(name, StreetRow(name))  # a street renamed since it published
        row.published_in_year += 1
        if document["competition"]["quarter"] != quarter:
            continue
        row.published_in_quarter += 1
        row.finals += _finals(document)
        for contestant in document["contestants"]:
            if contestant["grade"]:
                row.grade_counts[contestant["grade"]] += 1
    return sorted(rows.values(), key=lambda r: r.name)


def _problems(district_id: int, year: int, quarter: int, today: dt.date) -> list[ProblemRow]:
    """Problems raised in the period's competitions, by the street of their village, with their
    state today. One query."""
    unresolved = ~Q(status=Problem.Status.RESOLVED)
    counts = (
        Problem.objects.filter(
            competition__district_id=district_id,
            competition__year=year,
            competition__quarter=quarter,
        )
        .values("village__street__name")
        .annotate(
            raised=Count("pk"),
            open=Count("pk", filter=Q(status=Problem.Status.OPEN)),
            in_progress=Count("pk", filter=Q(status=Problem.Status.IN_PROGRESS)),
            resolved=Count("pk", filter=Q(status=Problem.Status.RESOLVED)),
            overdue=Count("pk", filter=unresolved & Q(due__lt=today)),
        )
        .order_by("village__street__name")
    )
    return [
        ProblemRow(
            street=c["village__street__name"],
            raised=c["raised"],
            open=c["open"],
            in_progress=c["in_progress"],
            resolved=c["resolved"],
            overdue=c["overdue"],
        )
        for c in counts
    ]


def _count(queryset, by: str) -> Subquery:
    """The number of rows of a queryset filtered to the outer competition, as a subquery."""
    return Coalesce(
        Subquery(
            queryset.filter(**{by: OuterRef("pk")})
            .order_by()
            .values(by)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _completion(district_id: int, year: int, quarter: int) -> list[CompletionRow]:
    """Judges' progress in the period's competitions in scoring, counted as the progress board
    counts it: expected sheets are present contestants × counting judges (active, not
    observers), less their recusals; submitted sheets are those of such cells. One query."""
    recusal = Judge.recusals.through
    counting = Judge.objects.counting()
    recused_sheet = recusal.objects.filter(
        judge_id=OuterRef("judge_id"), contestant_id=OuterRef("contestant_id")
    )
    competitions = (
        Competition.objects.filter(
            district_id=district_id,
            year=year,
            quarter=quarter,
            status=Competition.Status.SCORING,
        )
        .annotate(
            n_contestants=_count(Contestant.objects.filter(absent=False), "competition"),
            n_judges=_count(Judge.objects.counting(), "competition"),
            n_recusals=_count(
                recusal.objects.filter(contestant__absent=False, judge__in=counting),
                "judge__competition",
            ),
            n_submitted=_count(
                ScoreSheet.objects.filter(
                    status=ScoreSheet.Status.SUBMITTED, contestant__absent=False, judge__in=counting
                ).filter(~Exists(recused_sheet)),
                "judge__competition",
            ),
        )
        .values(
            "pk", "level", "street__name", "n_contestants", "n_judges", "n_recusals", "n_submitted"
        )
        .order_by("level", "street__name", "pk")
    )
    return [
        CompletionRow(
            competition_id=c["pk"],
            level=c["level"],
            street=c["street__name"],
            submitted=c["n_submitted"],
            expected=c["n_contestants"] * c["n_judges"] - c["n_recusals"],
        )
        for c in competitions
    ]


def latest_period_in_scoring(district_id: int) -> tuple[int, int] | None:
    """The latest (year, quarter) in which a competition of the district is being scored."""
    return (
        Competition.objects.filter(district_id=district_id, status=Competition.Status.SCORING)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )


def district_dashboard(*, district_id: int, year: int, quarter: int, today: dt.date) -> Dashboard:
    """Every number of the district dashboard for one period: the quarter's grade distribution,
    the streets compared (average final, grades, competitions published), the district's average
    final by quarter this year and last, problems by street and judges' completion in the
    competitions still in scoring. Five queries, whatever the size of the district."""
    documents = latest_documents(district_id, year)
    quarter_documents = [d for d in documents if d["competition"]["quarter"] == quarter]
    grade_counts = dict.fromkeys(GRADES, 0)
    for document in quarter_documents:
        for row in document["contestants"]:
            if row["grade"]:
                grade_counts[row["grade"]] += 1
    return Dashboard(
        year=year,
        quarter=quarter,
        grade_counts=grade_counts,
        streets=_streets(district_id, documents, quarter),
        averages=_averages(documents),
        previous_averages=_averages(latest_documents(district_id, year - 1)),
        problems=_problems(district_id, year, quarter, today),
        completion=_completion(district_id, year, quarter),
    )
