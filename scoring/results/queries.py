"""The reads of the results: a competition's grading policy, its valid democratic counts, the
progress board, completeness, the publication."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from competition.models import Competition, Contestant, Judge
from scoring import domain
from scoring.models import (
    Ballot,
    CompetitionCriterion,
    GradingPolicy,
    PaperTally,
    Publication,
    ScoreSheet,
)
from scoring.sheets.queries import carried_over, competition_maximum, contestants_in_order
from villages.language import in_reader_language


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


def criterion_labels(competition_ids) -> dict[int, dict[str, str]]:
    """Each competition's criteria, code → name in the page's language (the English name where
    one was written, else the Chinese). A published document keeps only the Chinese names; the
    competition's frozen copies of its criteria keep both. One query."""
    labels: dict[int, dict[str, str]] = {}
    rows = CompetitionCriterion.objects.filter(competition_id__in=list(competition_ids))
    for competition_id, code, name, name_en in rows.values_list(
        "competition_id", "code", "name", "name_en"
    ):
        labels.setdefault(competition_id, {})[code] = in_reader_language(name, name_en)
    return labels


@dataclass(frozen=True)
class ContestantCompleteness:
    """What is in, and what is missing, for one contestant when scoring closes."""

    contestant: Contestant
    expected: int  # counting judges (active, not observers) not recused from this contestant
    submitted: int  # their submitted sheets
    drafts: int  # their sheets saved as drafts, not submitted
    tally_unconfirmed: bool  # a paper tally entered and not yet confirmed
    # A confirmed paper tally that does not count: the meeting short of its quorum, or more
    # ballots returned than handed out (domain.tally_counts).
    tally_void: bool
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
            or self.tally_void
            or self.tokens_unused
            or self.below_minimum
        )


TALLY_AND_CODES = ("tally_unconfirmed", "tally_void", "tokens_unused")


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
        return {name: self.total(name) for name in (*names, *TALLY_AND_CODES)}


def completeness(competition: Competition, policy) -> Completeness:
    """For each contestant not marked absent: counting sheets in against expected, drafts,
    fewer sheets than the trimmed mean's minimum, a paper tally unconfirmed or confirmed but
    void, and unused ballot codes (the last three only with democratic evaluation on). Three
    queries."""
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
                tally_void=democratic
                and tally is not None
                and tally.confirmed_by_id is not None
                and not tally.counts_valid,
                tokens_unused=contestant.tokens_unused if democratic else 0,
                below_minimum=trims
                and contestant.submitted < policy.trim_min_sheets <= len(counting),
            )
        )
    return Completeness(rows=rows, trim_minimum=policy.trim_min_sheets if trims else None)


def policies_of(competitions: Iterable[tuple[int, int]]) -> dict[int, GradingPolicy]:
    """The grading policy of each (competition id, district id): the competition's own copy,
    else its district's, else the defaults. The one place a competition's policy is found.
    One query."""
    wanted = dict(competitions)
    rows = GradingPolicy.objects.filter(
        Q(competition_id__in=wanted) | Q(district_id__in=set(wanted.values()))
    )
    own, by_district = {}, {}
    for policy in rows:
        if policy.competition_id is not None:
            own[policy.competition_id] = policy
        else:
            by_district[policy.district_id] = policy
    return {
        pk: own.get(pk) or by_district.get(district_id) or GradingPolicy()
        for pk, district_id in wanted.items()
    }


def policy_of(competition: Competition) -> GradingPolicy:
    """The competition's grading policy (`policies_of`)."""
    return policies_of([(competition.pk, competition.district_id)])[competition.pk]


def district_policy_of(district_id: int) -> GradingPolicy:
    """The district's own grading policy, else the defaults: what its annual report and its
    secretaries' records are graded by. One query."""
    return GradingPolicy.objects.filter(district_id=district_id).first() or GradingPolicy()


def confirmed_tallies(competition: Competition) -> list[PaperTally]:
    """The competition's paper tallies a second person confirmed, valid or not. One query."""
    return list(
        PaperTally.objects.filter(contestant__competition=competition, confirmed_by__isnull=False)
    )


def democratic_counts(
    competition: Competition, tallies: list[PaperTally] | None = None
) -> dict[int, dict[str, int]]:
    """Valid ballots per contestant and choice: online ballots and paper tallies together —
    a tally only once confirmed, with its quorum and no more ballots returned than issued.
    Two queries (one when the confirmed tallies are given)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(domain.CHOICES, 0))
    for contestant_id, choice, n in (
        Ballot.objects.filter(contestant__competition=competition)
        .values_list("contestant_id", "choice")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[contestant_id][choice] += n
    for tally in confirmed_tallies(competition) if tallies is None else tallies:
        if tally.counts_valid:
            for choice, n in tally.counts.items():
                counts[tally.contestant_id][choice] += n
    return {pk: {str(c): n for c, n in row.items()} for pk, row in counts.items()}
