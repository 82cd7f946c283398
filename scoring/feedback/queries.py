"""The reads of the feedback sheets (反馈单): each contestant's published result, their criteria
against the street's and the district's, the judges' comments without names, the problems
raised about them and their previous quarter. Everything about the results comes from published
documents; the problems' status is read as it stands today."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from competition.models import Competition, Contestant, Problem
from scoring.feedback import figures
from scoring.models import Publication
from scoring.reports.profiles import Entry, entries_of
from scoring.results.comments import anonymous_comments, with_comments
from scoring.results.document import GRADE_LABELS, reason_text
from scoring.results.queries import criterion_labels
from scoring.sheets.queries import contestants_in_order


@dataclass(frozen=True)
class FeedbackSheet:
    contestant: Contestant
    row: dict  # the contestant's row of the published document
    grade_label: str
    reasons: list[str]
    lines: list[figures.Line]
    chart_height: int
    comments: list[str]  # without the judges' names, shuffled (comments.anonymous_comments)
    problems: list[Problem]
    previous: Entry | None  # the previous quarter's street competition, when they took part
    change: str | None  # the final's change since then, signed ("+1.20")


@dataclass(frozen=True)
class Feedback:
    document: dict
    contestants: int  # ranked in the document
    sheets: list[FeedbackSheet]


def contestant_of(competition: Competition, pk: int) -> Contestant | None:
    """A contestant of the competition, with their secretary and village. One query."""
    return contestants_in_order(competition).filter(pk=pk).first()


def contestants_of(competition: Competition) -> list[Contestant]:
    """Everyone who took part (not marked absent), in speaking order. One query."""
    return list(contestants_in_order(competition).filter(absent=False))


def published_document(competition: Competition) -> dict:
    """The latest published document (`competition_for_results` annotates its id). One query."""
    return Publication.objects.only("document").get(pk=competition.latest_publication).document


def district_documents(competition: Competition) -> list[dict]:
    """The latest published document of each street competition of the competition's district
    and quarter, its own among them when it is one. One query."""
    latest = Publication.objects.filter(competition=OuterRef("competition")).order_by("-version")
    return list(
        Publication.objects.filter(
            competition__district_id=competition.district_id,
            competition__year=competition.year,
            competition__quarter=competition.quarter,
            competition__level=Competition.Level.STREET,
            version=Subquery(latest.values("version")[:1]),
        )
        .order_by("competition_id")
        .values_list("document", flat=True)
    )


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def previous_entries(competition: Competition, contestants: list[Contestant]) -> dict[int, Entry]:
    """Each secretary's result in their street's competition of the previous quarter, published,
    by secretary id. One query, three when anyone took part then."""
    year, quarter = previous_quarter(competition.year, competition.quarter)
    earlier = Contestant.objects.filter(
        secretary_id__in=[c.secretary_id for c in contestants],
        competition__level=Competition.Level.STREET,
        competition__year=year,
        competition__quarter=quarter,
        competition__publications__isnull=False,
    ).select_related("village")
    return {entry.secretary_id: entry for entry in entries_of(list(earlier.distinct()))}


def problems_of(contestants: list[Contestant]) -> dict[int, list[Problem]]:
    """The problems raised about each contestant in their competition, by contestant id, oldest
    first. One query."""
    found: dict[int, list[Problem]] = {c.pk: [] for c in contestants}
    for problem in Problem.objects.filter(contestant__in=contestants).order_by("created_at", "pk"):
        found[problem.contestant_id].append(problem)
    return found


def _change(final: str | None, previous: Entry | None) -> str | None:
    if final is None or previous is None or previous.final is None:
        return None
    return f"{Decimal(final) - previous.final:+.2f}"


def feedback(competition: Competition, contestants: list[Contestant]) -> Feedback:
    """The feedback sheets of these contestants of a published competition — those the published
    document ranks (absent ones have none) — in the order given. Eight queries whatever their
    number, six when none of them took part in the previous quarter's competition."""
    document = with_comments(competition, published_document(competition))
    rows = {row["village_code"]: row for row in document["contestants"]}
    maxima = {c["code"]: c["max_points"] for c in document["criteria"]}
    street = figures.group_averages([document], maxima)
    district = figures.group_averages(district_documents(competition), maxima)
    names = criterion_labels([competition.pk]).get(competition.pk, {})
    taking_part = [c for c in contestants if c.village.code in rows]
    problems = problems_of(taking_part)
    previous = previous_entries(competition, taking_part)
    digest = document["competition"]["digest"]
    sheets = []
    for contestant in taking_part:
        row = rows[contestant.village.code]
        lines = figures.lines(document, row, street, district, names)
        before = previous.get(contestant.secretary_id)
        sheets.append(
            FeedbackSheet(
                contestant=contestant,
                row=row,
                grade_label=GRADE_LABELS.get(row["grade"] or "", ""),
                reasons=[reason_text(reason) for reason in row["reasons"]],
                lines=lines,
                chart_height=figures.chart_height(lines),
                comments=anonymous_comments(row, digest),
                problems=problems[contestant.pk],
                previous=before,
                change=_change(row["final_score"], before),
            )
        )
    return Feedback(document=document, contestants=len(document["contestants"]), sheets=sheets)
