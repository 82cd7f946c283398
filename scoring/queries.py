"""Reads for the judge's pages, the staff's setup pages and the progress board."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from competition.models import Competition, Contestant, Judge, Problem
from scoring import domain
from scoring.models import (
    TALLY_FIELDS,
    CompetitionCriterion,
    PaperTally,
    Publication,
    Score,
    ScoreSheet,
)


def competition_maximum(criteria: list[CompetitionCriterion]) -> Decimal:
    return sum((c.max_points for c in criteria), Decimal(0))


def contestants_in_order(competition: Competition) -> QuerySet[Contestant]:
    return competition.contestants.select_related("secretary", "village__street").order_by(
        "order", "village__code"
    )


@dataclass(frozen=True)
class JudgeRow:
    contestant: Contestant
    status: str  # "none", "draft", "submitted", "recused", "absent"
    total: Decimal | None


def judge_progress(judge: Judge) -> list[JudgeRow]:
    """A judge's contestants in speaking order with their own progress on each. Two queries."""
    sheets = {
        s.contestant_id: s
        for s in ScoreSheet.objects.filter(judge=judge).annotate(total=Sum("scores__points"))
    }
    recused = set(judge.recusals.values_list("pk", flat=True))
    rows = []
    for contestant in contestants_in_order(judge.competition).filter(order__isnull=False):
        sheet = sheets.get(contestant.pk)
        if contestant.absent:
            status = "absent"
        elif contestant.pk in recused:
            status = "recused"
        else:
            status = sheet.status if sheet else "none"
        rows.append(JudgeRow(contestant, status, sheet.total if sheet else None))
    return rows


def judge_seats(user) -> QuerySet[Judge]:
    """The panels a user sits on, newest first, each with `expected` (the contestants the judge
    scores: in the speaking order, not absent, not recused from) and `submitted` (their sheets
    submitted among those) — the figures the judge's contestant list shows."""
    recused = Judge.recusals.through.objects.filter(
        judge_id=OuterRef(OuterRef("pk")), contestant_id=OuterRef("pk")
    )
    scored = Contestant.objects.filter(
        competition_id=OuterRef("competition_id"), absent=False, order__isnull=False
    ).exclude(Exists(recused))
    return (
        Judge.objects.filter(user=user)
        .select_related("competition__street", "competition__district")
        .annotate(
            expected=_count(scored),
            submitted=_count(
                scored.filter(
                    sheets__judge_id=OuterRef("pk"),
                    sheets__status=ScoreSheet.Status.SUBMITTED,
                )
            ),
        )
        .order_by("-competition__year", "-competition__quarter", "-competition_id")
    )


def _count(contestants: QuerySet[Contestant]) -> Coalesce:
    """How many contestants a correlated query (all of one competition) finds."""
    per_competition = contestants.order_by().values("competition_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(per_competition.values("n")), 0)


def sheet_for(judge: Judge, contestant: Contestant) -> ScoreSheet | None:
    return (
        ScoreSheet.objects.filter(judge=judge, contestant=contestant)
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .first()
    )


def judge_seat(pk: int) -> Judge:
    """A judge's seat with its competition, as the database holds it now."""
    return Judge.objects.select_related("competition").get(pk=pk)


def sheet_points(sheet: ScoreSheet) -> list[Decimal]:
    """The points a saved sheet holds, item by item."""
    return list(Score.objects.filter(sheet=sheet).values_list("points", flat=True))


def sheet_version(judge: Judge, contestant: Contestant) -> int:
    """The version of the judge's saved sheet for the contestant; 0 when there is none."""
    saved = ScoreSheet.objects.filter(judge=judge, contestant=contestant).values_list("version")
    return next(iter(saved.order_by()), (0,))[0]


@dataclass(frozen=True)
class BoardCell:
    judge_id: int
    # "none", "draft", "submitted", "recused"; "withdrawn" or "absent" when the judge is
    # (their sheet, if any, is kept and linked, but expected from no one and counted nowhere)
    status: str
    percent: Decimal | None = None
    sheet_id: int | None = None


@dataclass(frozen=True)
class Board:
    judges: list[Judge]
    rows: list[tuple[Contestant, list[BoardCell]]]
    submitted: int
    expected: int

    @property
    def percent_done(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0


def progress_board(competition: Competition) -> Board:
    """Contestants × judges: each sheet's state and percent. Four queries, whatever the size."""
    criteria = list(competition.criteria.all())
    maximum = competition_maximum(criteria) or Decimal(1)
    judges = list(
        competition.judges.select_related("user").prefetch_related("recusals").order_by("pk")
    )
    sheets = {
        (s.contestant_id, s.judge_id): s
        for s in ScoreSheet.objects.filter(judge__competition=competition).annotate(
            total=Sum("scores__points")
        )
    }
    recused = {(c.pk, j.pk) for j in judges for c in j.recusals.all()}
    rows, submitted, expected = [], 0, 0
    with_ballots = (
        contestants_in_order(competition)
        .filter(absent=False)
        .select_related("paper_tally")
        .annotate(
            tokens_issued=Count("ballot_tokens", distinct=True),
            tokens_used=Count("ballot_tokens", filter=Q(ballot_tokens__used=True), distinct=True),
        )
    )
    for contestant in with_ballots:
        cells = []
        for judge in judges:
            if not judge.is_active:
                sheet = sheets.get((contestant.pk, judge.pk))
                percent = (
                    domain.round2(domain.sheet_percent(sheet.total or Decimal(0), maximum))
                    if sheet
                    else None
                )
                cells.append(
                    BoardCell(judge.pk, judge.status, percent, sheet.pk if sheet else None)
                )
                continue
            if (contestant.pk, judge.pk) in recused:
                cells.append(BoardCell(judge.pk, "recused"))
                continue
            # The count is of the counting sheets, as the close reads it: observers' are shown.
            counts = not judge.is_observer
            expected += counts
            sheet = sheets.get((contestant.pk, judge.pk))
            if sheet is None:
                cells.append(BoardCell(judge.pk, "none"))
                continue
            submitted += counts and sheet.status == ScoreSheet.Status.SUBMITTED
            percent = domain.round2(domain.sheet_percent(sheet.total or Decimal(0), maximum))
            cells.append(BoardCell(judge.pk, sheet.status, percent, sheet.pk))
        rows.append((contestant, cells))
    return Board(judges=judges, rows=rows, submitted=submitted, expected=expected)


def carried_over(competition: Competition, villages=None):
    """Problems still open from this village's (or these villages') earlier competitions."""
    problems = (
        Problem.objects.exclude(competition=competition)
        .exclude(status=Problem.Status.RESOLVED)
        .filter(competition__year__lte=competition.year)
        .select_related("competition__street", "competition__district")
        .order_by("competition__year", "competition__quarter", "pk")
    )
    if villages is not None:
        problems = problems.filter(village__in=villages)
    return problems


def competition_for_results(pk: int) -> Competition | None:
    """A competition with its street and district, and the id and digest of its latest
    publication as `latest_publication` and `latest_digest` (None before publication). One
    query."""
    latest = Publication.objects.filter(competition=OuterRef("pk")).order_by("-version")[:1]
    return (
        Competition.objects.select_related("street", "district")
        .annotate(
            latest_publication=Subquery(latest.values("pk")),
            latest_digest=Subquery(latest.values("digest")),
        )
        .filter(pk=pk)
        .first()
    )


def carried_counts(competition: Competition) -> dict[str, int]:
    """How many problems carried_over() finds for each village of the competition, by village
    code. One query."""
    rows = (
        carried_over(competition)
        .filter(village__contests__competition=competition)
        .values("village__code")
        .annotate(count=Count("pk", distinct=True))
        .order_by()
    )
    return {row["village__code"]: row["count"] for row in rows}


def absent_or_recused(contestant: Contestant, judge: Judge) -> tuple[bool, bool]:
    """Whether the contestant is marked absent, and whether the judge is recused from them, as
    the database holds it now. One query."""
    recused = Judge.recusals.through.objects.filter(judge=judge, contestant=OuterRef("pk"))
    row = Contestant.objects.filter(pk=contestant.pk).values_list("absent", Exists(recused)).first()
    if row is None:  # deleted meanwhile: as good as absent
        return True, False
    return bool(row[0]), bool(row[1])


def scoring_criteria(competition: Competition) -> list[CompetitionCriterion]:
    """The criteria of a competition past its draft (chosen only in draft, frozen since)."""
    if competition.status == Competition.Status.DRAFT:
        raise ValueError("A draft's criteria may still change.")
    return list(competition.criteria.all())


def criterion_labels(competition_ids) -> dict[int, dict[str, str]]:
    """Each competition's criteria, code → name in the page's language (the English name where
    one was written, else the Chinese). A published document keeps only the Chinese names; the
    competition's frozen copies of its criteria keep both. One query."""
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    labels: dict[int, dict[str, str]] = {}
    rows = CompetitionCriterion.objects.filter(competition_id__in=list(competition_ids))
    for competition_id, code, name, name_en in rows.values_list(
        "competition_id", "code", "name", "name_en"
    ):
        labels.setdefault(competition_id, {})[code] = (name_en if english else "") or name
    return labels


def lock_seat(judge: Judge) -> str | None:
    """Lock a judge's seat until the transaction ends: their saves then go one at a time, even
    before their sheet for a contestant exists, and a change to the competition (which locks
    every seat) waits for them. Other judges' saves go on. Returns the seat's status as it
    stands (withdrawn or absent judges score no more); None if it is gone."""
    seat = Judge.objects.select_for_update(no_key=True).filter(pk=judge.pk)
    return seat.values_list("status", flat=True).first()


def lock_contestant(contestant_id: int) -> None:
    """Lock a contestant until the transaction ends, as a ballot cast for them does: a change
    to the competition (which locks every contestant) waits for the casts in progress."""
    list(Contestant.objects.select_for_update(no_key=True).filter(pk=contestant_id).values("pk"))


def locked_sheet(contestant: Contestant, judge: Judge) -> ScoreSheet | None:
    """The judge's sheet for the contestant, locked until the transaction ends; None if none."""
    return ScoreSheet.objects.select_for_update().filter(contestant=contestant, judge=judge).first()


def sheet_scores(sheet: ScoreSheet) -> list[Score]:
    """A sheet's scores as they stand."""
    return list(sheet.scores.all())


def contestant_in(competition_id: int, pk: int) -> Contestant | None:
    """A contestant of the competition, or None."""
    return Contestant.objects.filter(pk=pk, competition_id=competition_id).first()


@dataclass(frozen=True)
class ContestantCompleteness:
    """What is in, and what is missing, for one contestant when scoring closes."""

    contestant: Contestant
    expected: int  # counting judges (active, not observers) not recused from this contestant
    submitted: int  # their submitted sheets
    drafts: int  # their sheets saved as drafts, not submitted
    tally_unconfirmed: bool  # a paper tally entered and not yet confirmed
    tokens_unused: int  # ballot codes handed out and neither used nor withdrawn
    below_minimum: bool  # a panel big enough to trim, but too few sheets in to trim them

    @property
    def missing(self) -> int:
        return max(self.expected - self.submitted, 0)

    @property
    def complete(self) -> bool:
        return not (
            self.missing
            or self.drafts
            or self.tally_unconfirmed
            or self.tokens_unused
            or self.below_minimum
        )


@dataclass(frozen=True)
class Completeness:
    rows: list[ContestantCompleteness]  # every contestant not marked absent, in speaking order
    trim_minimum: int | None  # sheets the trimmed mean needs; None when the policy does not trim

    @property
    def gaps(self) -> list[ContestantCompleteness]:
        return [row for row in self.rows if not row.complete]

    @property
    def complete(self) -> bool:
        return not self.gaps

    @property
    def without_sheet(self) -> list[ContestantCompleteness]:
        return [row for row in self.rows if row.submitted == 0]

    def total(self, name: str) -> int:
        return sum(int(getattr(row, name)) for row in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        names = ("expected", "submitted", "missing", "drafts", "below_minimum")
        return {name: self.total(name) for name in (*names, "tally_unconfirmed", "tokens_unused")}


def completeness(competition: Competition, policy) -> Completeness:
    """For each contestant not marked absent: counting sheets in against expected, drafts,
    fewer sheets than the trimmed mean's minimum, an unconfirmed paper tally and unused ballot
    codes (the last two only with democratic evaluation on). Three queries."""
    counting = list(competition.judges.counting().values_list("pk", flat=True))
    recused = set(
        Judge.recusals.through.objects.filter(judge_id__in=counting).values_list(
            "contestant_id", "judge_id"
        )
    )
    counted = Q(sheets__judge_id__in=counting)
    contestants = (
        contestants_in_order(competition)
        .filter(absent=False)
        .select_related("paper_tally")
        .annotate(
            submitted=Count(
                "sheets",
                filter=counted & Q(sheets__status=ScoreSheet.Status.SUBMITTED),
                distinct=True,
            ),
            drafts=Count(
                "sheets", filter=counted & Q(sheets__status=ScoreSheet.Status.DRAFT), distinct=True
            ),
            tokens_unused=Count(
                "ballot_tokens",
                filter=Q(ballot_tokens__used=False, ballot_tokens__revoked=False),
                distinct=True,
            ),
        )
    )
    trims = policy.aggregation == domain.Aggregation.TRIMMED_MEAN
    democratic = policy.democratic_enabled
    rows = []
    for contestant in contestants:
        tally = getattr(contestant, "paper_tally", None)
        rows.append(
            ContestantCompleteness(
                contestant=contestant,
                expected=sum((contestant.pk, judge) not in recused for judge in counting),
                submitted=contestant.submitted,
                drafts=contestant.drafts,
                tally_unconfirmed=democratic
                and tally is not None
                and tally.confirmed_by_id is None,
                tokens_unused=contestant.tokens_unused if democratic else 0,
                below_minimum=trims
                and contestant.submitted < policy.trim_min_sheets <= len(counting),
            )
        )
    return Completeness(rows=rows, trim_minimum=policy.trim_min_sheets if trims else None)


def tally_page(*, contestant: Contestant, viewer) -> dict:
    """What the tally page may show `viewer`: its state, and counts only to who may see them.

    Double entry is blind: until someone has typed, they see who entered the tally, never its
    counts. A tally's author sees their own entry; once the entries differ, or agree, everyone
    sees them. One query.
    """
    tally = (
        PaperTally.objects.filter(contestant=contestant)
        .select_related("entered_by", "confirmed_by", "differing__entered_by")
        .first()
    )
    other = getattr(tally, "differing", None) if tally else None
    labels = [(name, PaperTally._meta.get_field(name).verbose_name) for name in TALLY_FIELDS]
    if tally is None:
        state = "none"
    elif tally.confirmed_by_id is not None:
        state = "confirmed"
    elif other is not None:
        state = "differs"
    else:
        state = "mine" if tally.entered_by_id == viewer.pk else "waiting"
    shown = state in ("confirmed", "mine")

    def name(user) -> str:
        return (user.first_name or user.username) if user else ""

    return {
        "first_by": name(tally and tally.entered_by),
        "second_by": name(other and other.entered_by),
        "confirmed_by": name(tally and tally.confirmed_by),
        "contestant": contestant,
        "tally": tally,
        "other": other,
        "state": state,
        "labels": labels,
        "entry": [(label, getattr(tally, name)) for name, label in labels] if shown else [],
        "checks": shown,
        "compared": [
            (
                label,
                getattr(tally, name),
                getattr(other, name),
                getattr(tally, name) != getattr(other, name),
            )
            for name, label in labels
        ]
        if other is not None
        else [],
    }
