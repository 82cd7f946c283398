"""Reads for the judge's pages: their seats and progress, a sheet, its points and version, the
locks a save takes; and the competition's maximum and contestant order other pages share."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, Sum

from competition.models import Competition, Contestant, Judge, Problem
from scoring.models import (
    CompetitionCriterion,
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


def judge_seats(user, competition_id: int | None = None) -> list[Judge]:
    """The panels a user sits on (of one competition only, if given), newest first, each with
    `expected` (the contestants the judge scores: in the speaking order, not absent, not
    recused from) and `submitted` (their sheets submitted among those) — the figures the
    judge's contestant list shows. One query for a user on no panel, four otherwise."""
    judges = Judge.objects.filter(user=user).select_related(
        "competition__street", "competition__district"
    )
    if competition_id is not None:
        judges = judges.filter(competition_id=competition_id)
    judges = list(judges.order_by("-competition__year", "-competition__quarter", "-competition_id"))
    if not judges:
        return []
    scored = defaultdict(set)  # competition → its contestants in the order, not absent
    for competition, contestant in Contestant.objects.filter(
        competition__in={j.competition_id for j in judges}, absent=False, order__isnull=False
    ).values_list("competition_id", "pk"):
        scored[competition].add(contestant)
    recused = defaultdict(set)  # judge → the contestants they are recused from
    for judge, contestant in Judge.recusals.through.objects.filter(judge__in=judges).values_list(
        "judge_id", "contestant_id"
    ):
        recused[judge].add(contestant)
    submitted = defaultdict(set)  # judge → the contestants whose sheet they submitted
    for judge, contestant in ScoreSheet.objects.filter(
        judge__in=judges, status=ScoreSheet.Status.SUBMITTED
    ).values_list("judge_id", "contestant_id"):
        submitted[judge].add(contestant)
    for judge in judges:
        expected = scored[judge.competition_id] - recused[judge.pk]
        judge.expected, judge.submitted = len(expected), len(expected & submitted[judge.pk])
    return judges


def sheet_for(judge: Judge, contestant: Contestant) -> ScoreSheet | None:
    """The judge's sheet for the contestant with its scores (by criterion id), or None."""
    return (
        ScoreSheet.objects.filter(judge=judge, contestant=contestant)
        .prefetch_related("scores")
        .first()
    )


def sheet_contestant(seat: Judge, pk: int) -> Contestant | None:
    """A contestant of the seat's competition for the sheet page, with their secretary and
    village, and `recused`: whether this judge is recused from them. One query."""
    recused = Judge.recusals.through.objects.filter(judge=seat, contestant=OuterRef("pk"))
    return (
        Contestant.objects.filter(competition_id=seat.competition_id, pk=pk)
        .select_related("secretary", "village__street")
        .annotate(recused=Exists(recused))
        .first()
    )


@dataclass(frozen=True)
class Neighbour:
    pk: int
    name: str


def neighbours(contestant: Contestant) -> tuple[Neighbour | None, Neighbour | None]:
    """Who speaks before and after the contestant, absent contestants left out. One query."""
    if contestant.order is None:
        return None, None
    speaking = (
        Contestant.objects.filter(
            competition_id=contestant.competition_id, order__isnull=False, absent=False
        )
        .exclude(pk=contestant.pk)
        .order_by("order")
        .values_list("pk", "order", "secretary__name")
    )
    before = after = None
    for pk, order, name in speaking:
        if order < contestant.order:
            before = Neighbour(pk, name)
        elif order > contestant.order and after is None:
            after = Neighbour(pk, name)
    return before, after


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


def scoring_state(contestant: Contestant, judge: Judge) -> tuple[Competition, bool, bool]:
    """The contestant's competition as the database holds it now, whether the contestant is
    absent (or gone), and whether the judge is recused from them. One query."""
    absent = Contestant.objects.filter(pk=contestant.pk).values("absent")
    recused = Judge.recusals.through.objects.filter(judge=judge, contestant_id=contestant.pk)
    competition = Competition.objects.annotate(
        contestant_absent=Subquery(absent), judge_recused=Exists(recused)
    ).get(pk=contestant.competition_id)
    return competition, competition.contestant_absent is not False, competition.judge_recused


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


def lock_seat(judge: Judge) -> str | None:
    """Lock a judge's seat until the transaction ends: their saves then go one at a time, even
    before their sheet for a contestant exists, and a change to the competition (which locks
    every seat) waits for them. Other judges' saves go on. Returns the seat's status as it
    stands (withdrawn or absent judges score no more); None if it is gone."""
    seat = Judge.objects.select_for_update(no_key=True).filter(pk=judge.pk)
    return seat.values_list("status", flat=True).first()


def locked_sheet(contestant: Contestant, judge: Judge) -> ScoreSheet | None:
    """The judge's sheet for the contestant, locked until the transaction ends; None if none."""
    return ScoreSheet.objects.select_for_update().filter(contestant=contestant, judge=judge).first()


def sheet_scores(sheet: ScoreSheet) -> list[Score]:
    """A sheet's scores as they stand."""
    return list(sheet.scores.all())


def contestant_in(competition_id: int, pk: int) -> Contestant | None:
    """A contestant of the competition, or None."""
    return Contestant.objects.filter(pk=pk, competition_id=competition_id).first()


def judge_kit(judge: Judge) -> dict:
    """What a judge's phone keeps to score the whole competition offline, as plain values: the
    contestants in speaking order (each with the problems carried over from their village's
    earlier competitions), the criteria with maxima and guidance, and the judge's own sheets so
    far with their versions. Seven queries."""
    competition = judge.competition
    criteria = list(competition.criteria.all())
    recused = set(judge.recusals.values_list("pk", flat=True))
    contestants = list(contestants_in_order(competition).filter(order__isnull=False))
    sheets = ScoreSheet.objects.filter(judge=judge).prefetch_related(
        Prefetch("scores", queryset=Score.objects.select_related("criterion"))
    )
    carried: dict[int, list[dict]] = {}
    for p in carried_over(competition, [c.village_id for c in contestants]):
        carried.setdefault(p.village_id, []).append(
            {
                "year": p.competition.year,
                "quarter": p.competition.quarter,
                "text": p.text,
                "status": p.get_status_display(),
            }
        )
    return {
        "competition": {
            "id": competition.pk,
            "title": competition.title,
            "status": competition.status,
            "maximum": f"{competition_maximum(criteria).normalize():f}",
        },
        "seat": {"id": judge.pk, "active": judge.is_active},
        "criteria": [
            {
                "code": c.code,
                "label": c.label,
                "max": f"{c.max_points.normalize():f}",
                "guidance": c.guidance_text,
            }
            for c in criteria
        ],
        "contestants": [
            {
                "id": c.pk,
                "order": c.order,
                "name": c.secretary.name,
                "village": c.village.name,
                "street": c.village.street.name,
                "absent": c.absent,
                "recused": c.pk in recused,
                "carried": carried.get(c.village_id, []),
            }
            for c in contestants
        ],
        "sheets": {
            str(s.contestant_id): {
                "version": s.version,
                "status": s.status,
                "points": {x.criterion.code: f"{x.points.normalize():f}" for x in s.scores.all()},
                "comment": s.comment,
                "problems": list(s.problems),
            }
            for s in sheets
        },
    }
