"""A secretary's and a village's record across competitions, from the published documents."""

from dataclasses import dataclass, field
from decimal import Decimal

from competition.models import Contestant, Problem, competition_title, quarter_label
from scoring import domain
from scoring.models import Publication
from scoring.results.document import criterion_averages
from scoring.results.queries import criterion_labels
from villages.models import Secretary, Tenure, Village


@dataclass
class Entry:
    """One published competition of a secretary."""

    competition_id: int
    title: str
    year: int
    quarter: int
    level: str
    village: str
    rank: int | None
    final: Decimal | None
    grade: str | None
    averages: dict[str, str | None]
    # What set the grade (results document); None for the bands, or a document before it.
    grade_set_by: str | None = None
    contestant_id: int | None = None
    secretary_id: int | None = None


@dataclass
class Record:
    entries: list[Entry]
    flags: list[str] = field(default_factory=list)

    @property
    def trend(self) -> list[tuple[str, Decimal]]:
        return [
            (quarter_label(e.quarter, e.year), e.final) for e in self.entries if e.final is not None
        ]


def entries_of(contestants: list[Contestant]) -> list[Entry]:
    """Each contestant's row in the latest published document of their competition. Two
    queries (the documents, the criteria's names), none for no contestant."""
    latest: dict[int, Publication] = {}
    for publication in (
        Publication.objects.defer("summary")
        .filter(competition_id__in={c.competition_id for c in contestants})
        .order_by("competition_id", "version")
    ):
        latest[publication.competition_id] = publication
    labels = criterion_labels(latest)
    entries = []
    for contestant in contestants:
        publication = latest.get(contestant.competition_id)
        if publication is None:
            continue
        document = publication.document
        row = next(
            (r for r in document["contestants"] if r["village_code"] == contestant.village.code),
            None,
        )
        if row is None:
            continue
        names = {
            c["code"]: labels.get(contestant.competition_id, {}).get(c["code"], c["name"])
            for c in document["criteria"]
        }
        about = document["competition"]
        entries.append(
            Entry(
                competition_id=contestant.competition_id,
                # In the page's language, not the one it was published in.
                title=competition_title(
                    where=about["street"] or about["district"],
                    year=about["year"],
                    quarter=about["quarter"],
                    level=about["level"],
                ),
                year=document["competition"]["year"],
                quarter=document["competition"]["quarter"],
                level=document["competition"]["level"],
                village=row["village"],
                rank=row["rank"],
                final=Decimal(row["final_score"]) if row["final_score"] else None,
                grade=row["grade"],
                averages={names[k]: v for k, v in criterion_averages(document, row).items()},
                grade_set_by=row.get("grade_set_by"),
                contestant_id=contestant.pk,
                secretary_id=contestant.secretary_id,
            )
        )
    entries.sort(key=lambda e: (e.year, e.quarter, e.level != "street"))
    return entries


def flags(entries: list[Entry], policy: domain.Policy) -> list[str]:
    """ "incompetent_two_years": two consecutive years whose annual grade (domain.annual_grade,
    as the annual report grades them) is incompetent; "fell_two_grades": a fall of two grades
    or more from one street quarter to the very next (domain.fell_two_grades)."""
    found = []
    street = [e for e in entries if e.level == "street" and e.grade]
    by_year: dict[int, list[domain.QuarterGrade]] = {}
    for entry in street:
        by_year.setdefault(entry.year, []).append(
            domain.QuarterGrade(
                quarter=entry.quarter,
                final=entry.final,
                grade=domain.Grade(entry.grade),
                set_by=entry.grade_set_by,
            )
        )
    annual = {
        year: domain.annual_grade(quarters, policy).grade for year, quarters in by_year.items()
    }
    if any(
        annual.get(year) == domain.Grade.INCOMPETENT
        and annual.get(year + 1) == domain.Grade.INCOMPETENT
        for year in annual
    ):
        found.append("incompetent_two_years")
    if domain.fell_two_grades((e.year, e.quarter, domain.Grade(e.grade)) for e in street):
        found.append("fell_two_grades")
    return found


def secretary_record(secretary: Secretary, policy: domain.Policy) -> Record:
    contestants = list(Contestant.objects.filter(secretary=secretary).select_related("village"))
    entries = entries_of(contestants)
    return Record(entries=entries, flags=flags(entries, policy))


def secretary_tenures(secretary: Secretary):
    return Tenure.objects.filter(secretary=secretary).select_related("village__street")


def village_tenures(village: Village):
    return Tenure.objects.filter(village=village).select_related("secretary").order_by("-start")


def problems_of(villages: list[Village]):
    """Problems raised about these villages, newest first, with their state. One query."""
    return (
        Problem.objects.filter(village__in=villages)
        .select_related("competition__street", "competition__district", "village")
        .order_by("-created_at")
    )
