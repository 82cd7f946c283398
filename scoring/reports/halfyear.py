"""The half-year report (半年): each secretary's two quarters, their mean, the half-year review's
observation-point score and the problems raised in the half, and the same per street.

Read from the published documents (only published results count) and the problems table: two
queries for any number of secretaries.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from competition.models import Competition, Problem, half_bounds, half_label, half_quarters
from scoring import domain
from scoring.models import Publication
from scoring.reports import spreadsheets
from scoring.results.document import GRADE_LABELS


@dataclass
class HalfYearRow:
    secretary: str
    village: str
    village_code: str
    street: str
    # quarter → (published final, grade)
    quarters: dict[int, tuple[Decimal | None, str | None]] = field(default_factory=dict)
    mean: Fraction | None = None  # exact: round2 it to show it
    # The quarters' (final, grade label) as the page shows them, in the half's order.
    shown: list[tuple[Decimal | None, str]] = field(default_factory=list)
    review: Decimal | None = None  # the review's published final; None if not a point
    raised: int = 0
    resolved: int = 0

    @property
    def mean_shown(self) -> Decimal | None:
        return domain.round2(self.mean) if self.mean is not None else None

    def final(self, quarter: int) -> Decimal | None:
        return self.quarters.get(quarter, (None, None))[0]

    def grade_label(self, quarter: int) -> str:
        return str(GRADE_LABELS.get(self.quarters.get(quarter, (None, None))[1] or "", ""))

    def cells(self, quarters: tuple[int, int]) -> list[tuple[Decimal | None, str]]:
        """Each quarter's published final and grade, in the reader's language."""
        return [(self.final(q), self.grade_label(q)) for q in quarters]


@dataclass
class StreetRow:
    street: str
    secretaries: int
    mean: Fraction | None  # of the secretaries' half-year means, exact
    points: int  # secretaries who were observation points with a published score
    review: Fraction | None  # mean of their observation-point scores, exact
    raised: int
    resolved: int

    @property
    def mean_shown(self) -> Decimal | None:
        return domain.round2(self.mean) if self.mean is not None else None

    @property
    def review_shown(self) -> Decimal | None:
        return domain.round2(self.review) if self.review is not None else None


@dataclass
class HalfYear:
    year: int
    half: int
    quarters: tuple[int, int]
    rows: list[HalfYearRow]
    streets: list[StreetRow]
    review_published: bool


def _documents(district_id: int, year: int, quarters: tuple[int, int]) -> list[dict]:
    """The latest published document of each street competition and of the half-year review of
    the half, without the judges' sheets. One query."""
    publications = Publication.objects.filter(
        competition__district_id=district_id,
        competition__year=year,
        competition__quarter__in=quarters,
        competition__level__in=[Competition.Level.STREET, Competition.Level.REVIEW],
    )
    latest: dict[int, Publication] = {}
    for publication in publications.order_by("competition_id", "version").only(
        "competition_id", "version", "summary"
    ):
        latest[publication.competition_id] = publication
    return [p.summary for p in latest.values()]


def _problems(district_id: int, year: int, half: int) -> list[dict]:
    """Per secretary (and the village they led), the problems raised at the half's published
    competitions of the district, and the problems about them resolved within the half
    (whenever they were raised). One query."""
    start, end = half_bounds(year, half)
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    raised = Q(
        competition__year=year,
        competition__quarter__in=half_quarters(half),
        competition__status=Competition.Status.PUBLISHED,  # only published results count
    )
    resolved = Q(status=Problem.Status.RESOLVED, resolved_at__gte=since, resolved_at__lt=until)
    return list(
        Problem.objects.filter(raised | resolved, competition__district_id=district_id)
        .values(
            "contestant__secretary__name",
            "contestant__village__code",
            "contestant__village__name",
            "contestant__village__street__name",
        )
        .annotate(raised=Count("pk", filter=raised), resolved=Count("pk", filter=resolved))
        .order_by()
    )


def half_year_report(
    *, district_id: int, year: int, half: int, street: str | None = None
) -> HalfYear:
    """Each secretary of the half — who has a published quarter, was an observation point or
    had a problem raised — with the two quarters' published finals and grades, their exact mean
    (domain.half_year_final), the half-year review's published final (the observation-point
    score), the problems raised at the half's competitions and those resolved in the half; and per
    street the number of secretaries, the mean of their means, the observation points and their
    mean score, and the problems. With `street` (a street's name), that street's only. Two
    queries."""
    quarters = half_quarters(half)
    rows: dict[tuple[str, str], HalfYearRow] = {}

    def row_of(code: str, secretary: str, village: str, street_name: str) -> HalfYearRow:
        return rows.setdefault(
            (code, secretary), HalfYearRow(secretary, village, code, street_name)
        )

    review_published = False
    for document in _documents(district_id, year, quarters):
        about = document["competition"]
        is_review = about["level"] == Competition.Level.REVIEW
        review_published |= is_review
        for r in document["contestants"]:
            entry = row_of(r["village_code"], r["secretary"], r["village"], r["street"])
            final = spreadsheets.number(r["final_score"])
            if is_review:
                entry.review = final
            else:
                entry.quarters[about["quarter"]] = (final, r["grade"])
    for p in _problems(district_id, year, half):
        entry = row_of(
            p["contestant__village__code"],
            p["contestant__secretary__name"],
            p["contestant__village__name"],
            p["contestant__village__street__name"],
        )
        entry.raised += p["raised"]
        entry.resolved += p["resolved"]
    for entry in rows.values():
        finals = [f for f, _grade in entry.quarters.values() if f is not None]
        entry.mean = domain.half_year_final(finals)
        entry.shown = entry.cells(quarters)
    shown = [r for r in rows.values() if street is None or r.street == street]
    shown.sort(key=lambda r: (r.street, r.mean is None, -(r.mean or 0), r.village_code))
    return HalfYear(
        year=year,
        half=half,
        quarters=quarters,
        rows=shown,
        streets=_streets(shown),
        review_published=review_published,
    )


def _streets(rows: list[HalfYearRow]) -> list[StreetRow]:
    by_street: dict[str, list[HalfYearRow]] = {}
    for r in rows:
        by_street.setdefault(r.street, []).append(r)
    return [
        StreetRow(
            street=name,
            secretaries=len(members),
            mean=domain.mean_of(r.mean for r in members if r.mean is not None),
            points=sum(1 for r in members if r.review is not None),
            review=domain.mean_of(r.review for r in members if r.review is not None),
            raised=sum(r.raised for r in members),
            resolved=sum(r.resolved for r in members),
        )
        for name, members in sorted(by_street.items())
    ]


def review_of(*, district_id: int, year: int, half: int) -> Competition | None:
    """The district's half-year review of a half, whatever its status; None before it is
    created. One query."""
    return Competition.objects.filter(
        level=Competition.Level.REVIEW,
        district_id=district_id,
        year=year,
        quarter=half_quarters(half)[1],
    ).first()


def half_year_tables(report: HalfYear) -> list[spreadsheets.Table]:
    """The half-year report as two tables for Excel (per secretary, per street), in the
    reader's language."""
    q1, q2 = report.quarters
    per_quarter = [
        header % {"quarter": q}
        for q in report.quarters
        for header in (
            pgettext("spreadsheet", "Q%(quarter)s final"),
            pgettext("spreadsheet", "Q%(quarter)s grade"),
        )
    ]
    secretaries = spreadsheets.Table(
        half_label(report.half, report.year),
        [
            pgettext("spreadsheet", "Street"),
            pgettext("spreadsheet", "Village"),
            pgettext("spreadsheet", "Village code"),
            pgettext("spreadsheet", "Secretary"),
            *per_quarter,
            _("Mean of the two quarters"),
            _("Observation-point score"),
            _("Problems raised"),
            _("Problems resolved"),
        ],
        [
            [
                r.street,
                r.village,
                r.village_code,
                r.secretary,
                r.final(q1),
                r.grade_label(q1) or None,
                r.final(q2),
                r.grade_label(q2) or None,
                r.mean_shown,
                r.review,
                r.raised,
                r.resolved,
            ]
            for r in report.rows
        ],
    )
    streets = spreadsheets.Table(
        pgettext("spreadsheet", "Streets"),
        [
            pgettext("spreadsheet", "Street"),
            _("Secretaries"),
            _("Mean of the half-year means"),
            _("Observation points"),
            _("Mean observation-point score"),
            _("Problems raised"),
            _("Problems resolved"),
        ],
        [
            [s.street, s.secretaries, s.mean_shown, s.points, s.review_shown, s.raised, s.resolved]
            for s in report.streets
        ],
    )
    return [secretaries, streets]
