"""District-wide rankings and the annual "double hook" report, read from published documents.

Published documents are immutable, so they are read as stored: a fixed number of queries for
any number of contestants, and no score is computed twice.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from competition.models import Competition
from scoring import domain
from scoring.models import Publication
from scoring.reports import spreadsheets
from scoring.results.document import GRADE_LABELS
from scoring.results.queries import district_policy_of, policies_of


def latest_documents(
    district_id: int | None, year: int, quarter: int | None = None, level: str = "street"
) -> list[dict]:
    """The latest published document of each competition of a period, of one district or
    (None) of every district, without the judges' sheets (Publication.summary). One query."""
    publications = Publication.objects.filter(competition__year=year, competition__level=level)
    if district_id is not None:
        publications = publications.filter(competition__district_id=district_id)
    if quarter is not None:
        publications = publications.filter(competition__quarter=quarter)
    latest: dict[int, Publication] = {}
    for publication in publications.order_by("competition_id", "version").only(
        "competition_id", "version", "summary"
    ):
        latest[publication.competition_id] = publication
    return [p.summary for p in latest.values()]


def digests_shown(district_id: int | None, year: int, quarter: int) -> list[str]:
    """The digests of every publication the rankings of a period are made of: the street
    competitions' of the period and of the one before (for the movement), of one district or
    (None) of every district, in order. A correction adds a publication, and so a digest. One
    small query."""
    before = previous_period(year, quarter)
    publications = Publication.objects.filter(
        Q(competition__year=year, competition__quarter=quarter)
        | Q(competition__year=before[0], competition__quarter=before[1]),
        competition__level=Competition.Level.STREET,
    )
    if district_id is not None:
        publications = publications.filter(competition__district_id=district_id)
    return list(publications.order_by("pk").values_list("digest", flat=True))


def latest_published_period(district_id: int | None) -> tuple[int, int] | None:
    """The latest (year, quarter) with a published street competition, of one district or
    (None) of every district; None when nothing is published yet. One query."""
    published = Competition.objects.filter(
        level=Competition.Level.STREET, publications__isnull=False
    )
    if district_id is not None:
        published = published.filter(district_id=district_id)
    return published.order_by("-year", "-quarter").values_list("year", "quarter").first()


def _key(row: dict) -> tuple[str, str]:
    """A secretary across quarters: the village they led and their name."""
    return (row["village_code"], row["secretary"])


@dataclass
class RankedRow:
    rank: int | None
    secretary: str
    village: str
    village_code: str
    district: str
    street: str
    street_rank: int | None
    final: Decimal | None
    grade: str | None
    competition_id: int
    panel: Decimal | None = None
    democratic: Decimal | None = None
    order: int | None = None
    movement: str = "new"  # "up", "down", "same" or "new"
    previous_rank: int | None = None

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS.get(self.grade or "", "")

    @property
    def places_moved(self) -> int | None:
        """How many places the rank rose or fell since the previous quarter."""
        if self.rank is None or self.previous_rank is None:
            return None
        return abs(self.previous_rank - self.rank)


def _ranked(documents: list[dict]) -> list[RankedRow]:
    rows = []
    for document in documents:
        for row in document["contestants"]:
            rows.append(
                RankedRow(
                    rank=None,
                    secretary=row["secretary"],
                    village=row["village"],
                    village_code=row["village_code"],
                    district=document["competition"]["district"],
                    street=row["street"],
                    street_rank=row["rank"],
                    final=_figure(row["final_score"]),
                    grade=row["grade"],
                    competition_id=document["competition"]["id"],
                    panel=_figure(row.get("panel_score")),
                    democratic=_figure((row.get("democratic") or {}).get("score")),
                    order=row.get("order"),
                )
            )
    for row, rank in zip(rows, domain.ranks([r.final for r in rows]), strict=True):
        row.rank = rank
    rows.sort(
        key=lambda r: (
            domain.display_order(r.final, r.panel, r.democratic, r.order),
            r.street,
            r.village_code,
        )
    )
    return rows


def _figure(value: str | None) -> Decimal | None:
    return Decimal(value) if value else None


def previous_period(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


@dataclass
class Rankings:
    rows: list[RankedRow]
    grade_counts: dict[str, int]
    competitions: int
    streets: list[str]  # every street of the period, as its documents name it, to filter by


def district_rankings(
    *,
    district_id: int | None,
    year: int,
    quarter: int,
    street: str | None = None,
    grade: str | None = None,
) -> Rankings:
    """Every contestant of the period's published street competitions, ranked district-wide
    (or, with no district, across every district), with the movement of their rank since the
    previous quarter. Two queries."""
    documents = latest_documents(district_id, year, quarter)
    rows = _ranked(documents)
    before = {
        _key_of(r): r.rank
        for r in _ranked(latest_documents(district_id, *previous_period(year, quarter)))
    }
    for row in rows:
        previous = before.get(_key_of(row))
        row.previous_rank = previous
        if previous is None or row.rank is None:
            row.movement = "new"
        elif row.rank < previous:
            row.movement = "up"
        elif row.rank > previous:
            row.movement = "down"
        else:
            row.movement = "same"
    counts = {g.value: 0 for g in domain.Grade}
    for row in rows:
        if row.grade:
            counts[row.grade] += 1
    streets = sorted({r.street for r in rows})
    if street:
        rows = [r for r in rows if r.street == street]
    if grade:
        rows = [r for r in rows if r.grade == grade]
    return Rankings(rows=rows, grade_counts=counts, competitions=len(documents), streets=streets)


def movement_text(row: RankedRow) -> str:
    """The movement of a rank since the previous quarter, in the reader's language."""
    return {
        "up": pgettext("movement", "up"),
        "down": pgettext("movement", "down"),
        "same": pgettext("movement", "same"),
    }.get(row.movement, pgettext("movement", "not ranked"))


def rankings_table(result: Rankings, *, year: int, quarter: int) -> spreadsheets.Table:
    """The district's rankings of a period as a table for Excel or CSV, in the reader's
    language."""
    header = [
        pgettext("spreadsheet", "Rank"),
        pgettext("spreadsheet", "District"),
        pgettext("spreadsheet", "Street"),
        pgettext("spreadsheet", "Village"),
        pgettext("spreadsheet", "Village code"),
        pgettext("spreadsheet", "Secretary"),
        pgettext("spreadsheet", "Rank in the street"),
        pgettext("spreadsheet", "Final score"),
        pgettext("spreadsheet", "Grade"),
        pgettext("spreadsheet", "Rank last quarter"),
        pgettext("spreadsheet", "Movement"),
    ]
    rows = [
        [
            r.rank,
            r.district,
            r.street,
            r.village,
            r.village_code,
            r.secretary,
            r.street_rank,
            r.final,
            str(GRADE_LABELS.get(r.grade or "", "")),
            r.previous_rank,
            movement_text(r),
        ]
        for r in result.rows
    ]
    return spreadsheets.Table(f"{year}Q{quarter}", header, rows)


def _key_of(row: RankedRow) -> tuple[str, str]:
    return (row.village_code, row.secretary)


@dataclass
class AnnualRow:
    secretary: str
    village: str
    village_code: str
    street: str
    quarters: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    annual: Decimal | None = None
    grade: str | None = None
    pay: Decimal | None = None
    commendation: bool = False
    reserve_pool: bool = False
    incompetent_two_years: bool = False
    # The quarter whose veto or manual override lowered the annual grade (domain.annual_grade).
    capped_by: domain.QuarterGrade | None = None

    @property
    def reason(self) -> str:
        """Why the annual grade is not the mean's, in the reader's language; "" when it is."""
        quarter = self.capped_by
        if quarter is None:
            return ""
        values = {"quarter": quarter.quarter, "grade": GRADE_LABELS[quarter.grade]}
        if quarter.set_by == domain.SET_BY_VETO:
            return (
                _(
                    "A democratic veto set the grade of Q%(quarter)s to %(grade)s: "
                    "the annual grade is at most %(grade)s."
                )
                % values
            )
        return (
            _(
                "The grade of Q%(quarter)s was set by hand to %(grade)s: the annual grade is at "
                "most %(grade)s."
            )
            % values
        )


def _annual(district_id: int, year: int, policy: domain.Policy) -> dict[tuple, AnnualRow]:
    rows: dict[tuple, AnnualRow] = {}
    quarters: dict[tuple, list[domain.QuarterGrade]] = defaultdict(list)
    for document in latest_documents(district_id, year):
        quarter = document["competition"]["quarter"]
        for row in document["contestants"]:
            key = _key(row)
            entry = rows.setdefault(
                key, AnnualRow(row["secretary"], row["village"], row["village_code"], row["street"])
            )
            entry.quarters[quarter] = (row["final_score"], row["grade"])
            quarters[key].append(
                domain.QuarterGrade(
                    quarter=quarter,
                    final=_figure(row["final_score"]),
                    grade=domain.Grade(row["grade"]) if row["grade"] else None,
                    # Documents published before grades recorded what set them have no
                    # "grade_set_by": unknown, so that quarter caps nothing.
                    set_by=row.get("grade_set_by"),
                )
            )
    for key, entry in rows.items():
        result = domain.annual_grade(quarters[key], policy)
        entry.annual = domain.round2(result.final) if result.final is not None else None
        entry.grade = result.grade.value if result.grade else None
        entry.capped_by = result.capped_by
    return rows


def annual_report(*, district_id: int, year: int) -> list[AnnualRow]:
    """Each secretary's quarterly finals and grades of a year, the annual final (their mean)
    and grade (at most a quarter's grade set by a veto or by hand, when the district's policy
    says so, with the reason), the pay coefficient of that grade ("double hook"), eligibility
    for commendation (an excellent year) and for the reserve-cadre pool (an excellent or
    competent year with no quarter below competent), and a flag for two consecutive
    incompetent years. Two queries for the documents, one for the district's policy."""
    policy_row = district_policy_of(district_id)
    policy = policy_row.to_domain()
    rows = _annual(district_id, year, policy)
    last_year = _annual(district_id, year - 1, policy)
    for key, entry in rows.items():
        if entry.grade is None:
            continue
        entry.pay = policy_row.pay_coefficient(entry.grade)
        before = last_year.get(key)
        marks = domain.annual_marks(
            domain.Grade(entry.grade),
            [domain.Grade(g) for _f, g in entry.quarters.values() if g],
            domain.Grade(before.grade) if before is not None and before.grade else None,
        )
        entry.commendation = marks.commendation
        entry.reserve_pool = marks.reserve_pool
        entry.incompetent_two_years = marks.incompetent_two_years
    return sorted(rows.values(), key=lambda r: (r.annual is None, -(r.annual or 0), r.village_code))


def recommended(*, district_id: int, year: int, quarter: int) -> list[tuple[int, dict]]:
    """Who the period's published street competitions recommend to the district level: their
    excellent contestants, the top K by rank (K from each competition's policy).
    Returns (street competition id, contestant row) pairs."""
    documents = latest_documents(district_id, year, quarter)
    policies = policies_of((d["competition"]["id"], district_id) for d in documents)
    picks = []
    for document in documents:
        competition_id = document["competition"]["id"]
        k = policies[competition_id].advancement_k
        rows = document["contestants"]
        chosen = domain.advancing([(r["grade"], r["rank"], r["order"]) for r in rows], k)
        picks += [(competition_id, rows[index]) for index in chosen]
    return picks


def annual_table(rows: list[AnnualRow], *, year: int) -> spreadsheets.Table:
    """The annual report as a table for Excel or CSV, in the reader's language."""
    header = [
        pgettext("spreadsheet", "Street"),
        pgettext("spreadsheet", "Village"),
        pgettext("spreadsheet", "Village code"),
        pgettext("spreadsheet", "Secretary"),
        *(pgettext("spreadsheet", "Q%(quarter)s final") % {"quarter": q} for q in range(1, 5)),
        _("Annual final"),
        _("Annual grade"),
        _("Why the annual grade"),
        _("Pay coefficient"),
        _("Commendation"),
        _("Reserve-cadre pool"),
        _("Incompetent two years running"),
    ]
    table = [
        [
            r.street,
            r.village,
            r.village_code,
            r.secretary,
            *(spreadsheets.number(r.quarters.get(q, (None, None))[0]) for q in range(1, 5)),
            r.annual,
            str(GRADE_LABELS.get(r.grade or "", "")),
            r.reason,
            r.pay,
            r.commendation,
            r.reserve_pool,
            r.incompetent_two_years,
        ]
        for r in rows
    ]
    return spreadsheets.Table(str(year), header, table)
