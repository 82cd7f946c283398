"""Reads on stage: the stage as it stands, the speaking order with who is done, the question
on stage, the bank, the log, the judges' progress and the big screen's state."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from competition.models import Competition, Contestant, Event, Judge
from scoring import domain
from scoring.models import ScoreSheet
from scoring.results.queries import policy_of
from scoring.sheets.queries import competition_maximum, contestants_in_order
from stage.models import ON_STAGE, SEGMENTS, Draw, Question, ScreenLink, Stage, Step


def stage_of(competition: Competition) -> Stage:
    """The competition's stage, with who is on it; an unsaved one with the defaults before the
    first step; a clock left running when scoring closed stopped then."""
    found = (
        Stage.objects.select_related("contestant__secretary", "contestant__village")
        .filter(competition=competition)
        .first()
    )
    if found is None:
        return Stage(competition=competition)
    return stopped_at_close(found)


def stopped_at_close(stage: Stage) -> Stage:
    """The stage with a clock left running when scoring closed stopped at that close: after
    the close, and after a reopen too (Start runs it on). One query while the clock runs."""
    if not stage.running:
        return stage
    closed = Event.objects.filter(
        competition_id=stage.competition_id, kind=Event.Kind.CLOSED, at__gte=stage.started_at
    ).aggregate(at=Min("at"))["at"]
    if closed is not None:
        stage.elapsed_ms += int((closed - stage.started_at).total_seconds() * 1000)
        stage.running, stage.started_at = False, None
    return stage


@dataclass(frozen=True)
class Turn:
    contestant: Contestant
    state: str  # "done", "passed", "current", "waiting", "absent"


def speaking_order(competition: Competition, stage: Stage) -> list[Turn]:
    """Every contestant in the speaking order, with where they stand: before the one on stage
    (all of them once the afternoon is finished) done if their clock ran, else passed over;
    absent; or waiting. Two queries."""
    current = stage.contestant.order if stage.contestant_id else None
    timed = set(
        Step.objects.filter(competition=competition, kind=Step.Kind.START).values_list(
            "contestant_id", flat=True
        )
    )
    turns = []
    for contestant in contestants_in_order(competition).filter(order__isnull=False):
        if contestant.pk == stage.contestant_id:
            state = "current"
        elif contestant.absent:
            state = "absent"
        elif stage.finished or (current is not None and contestant.order < current):
            state = "done" if contestant.pk in timed else "passed"
        else:
            state = "waiting"
        turns.append(Turn(contestant, state))
    return turns


def criterion_labels(competition: Competition) -> dict[str, str]:
    return {c.code: c.label for c in competition.criteria.all()}


def criterion_names(competition: Competition) -> dict[str, tuple[str, ...]]:
    """Each criterion's code and the names it goes by, for reading a question file: its name in
    the reader's language first."""
    return {
        c.code: tuple(dict.fromkeys(n for n in (c.label, c.name, c.name_en) if n))
        for c in competition.criteria.all()
    }


def question_on_stage(stage: Stage) -> Draw | None:
    """The question drawn for the contestant on stage and not set aside, if any."""
    if not stage.contestant_id:
        return None
    return (
        Draw.objects.select_related("question")
        .filter(contestant_id=stage.contestant_id, set_aside_at__isnull=True)
        .order_by("-at", "-id")
        .first()
    )


def draws_of(competition: Competition):
    """What was drawn for whom, set aside or not, in the order it happened."""
    return Draw.objects.filter(competition=competition).select_related(
        "question", "contestant__secretary", "contestant__village", "by"
    )


def bank(competition: Competition) -> list[tuple[str, list[Question]]]:
    """The bank grouped by the competition's criteria (in their order), each question with how
    often it was drawn. Two queries."""
    labels = criterion_labels(competition)
    grouped = defaultdict(list)
    for question in Question.objects.filter(competition=competition).annotate(drawn=Count("draws")):
        grouped[question.criterion_code].append(question)
    groups = [(labels[code], grouped.pop(code, [])) for code in labels]
    # Questions of an item no longer chosen (a draft's criteria changed) stay visible.
    return groups + [(code, questions) for code, questions in grouped.items()]


def steps_of(competition: Competition):
    return Step.objects.filter(competition=competition).select_related(
        "by", "contestant__secretary", "contestant__village"
    )


def live_links(competition: Competition):
    return ScreenLink.objects.filter(
        competition=competition, revoked_at__isnull=True
    ).select_related("by")


def link_by_token(token_hash: str) -> ScreenLink | None:
    return ScreenLink.objects.filter(token_hash=token_hash).select_related("competition").first()


def link_works(link_id: int, competition_id: int) -> bool:
    """Whether a screen link still opens this competition's screen: its own competition, not
    revoked, and scoring not closed since it was issued (a reopen does not revive it). One
    query."""
    closed_since = Event.objects.filter(
        competition_id=OuterRef("competition_id"),
        kind=Event.Kind.CLOSED,
        at__gte=OuterRef("created_at"),
    )
    return (
        ScreenLink.objects.filter(
            pk=link_id,
            competition_id=competition_id,
            revoked_at__isnull=True,
            competition__status__in=[Competition.Status.DRAFT, Competition.Status.SCORING],
        )
        .exclude(Exists(closed_since))
        .exists()
    )


def now_on_stage(competition_id: int) -> dict | None:
    """Who is on stage now, for the judges' pages: contestant id, name and village, or None
    (after the close too: the stage is over). One query."""
    return (
        Stage.objects.filter(
            competition_id=competition_id,
            contestant__isnull=False,
            competition__status__in=ON_STAGE,
        )
        .values("contestant_id", "contestant__secretary__name", "contestant__village__name")
        .first()
    )


def screen_basis(competition_id: int) -> dict | None:
    """What the big screen's state depends on, read in one query: the competition's status, the
    stage's version (up at every step), and the sheets, contestants and judges as far as they
    change what it shows. None when there is no such competition."""

    def latest(model, field, **where):
        rows = model.objects.filter(**where).order_by().values(next(iter(where)))
        return Subquery(rows.annotate(m=Max(field)).values("m")[:1])

    def how_many(model, **where):
        rows = model.objects.filter(**where).order_by().values(next(iter(where)))
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)

    here = OuterRef("pk")
    return (
        Competition.objects.filter(pk=competition_id)
        .annotate(
            stage_version=Subquery(Stage.objects.filter(competition=here).values("version")[:1]),
            sheets_in=how_many(ScoreSheet, contestant__competition=here),
            sheets_at=latest(ScoreSheet, "updated_at", contestant__competition=here),
            absent_count=how_many(Contestant, competition=here, absent=True),
            judges_at=latest(Judge, "status_changed_at", competition=here),
            judge_count=how_many(Judge, competition=here),
        )
        .values(
            "status",
            "stage_version",
            "sheets_in",
            "sheets_at",
            "absent_count",
            "judges_at",
            "judge_count",
        )
        .first()
    )


@dataclass(frozen=True)
class Standing:
    expected: int  # counting judges not recused from the contestant
    submitted: int  # their submitted sheets
    panel: Decimal | None  # the panel score, rounded, once every expected sheet is in


def standings(competition: Competition, *, with_scores: bool) -> dict[int, Standing]:
    """For every contestant: counting sheets in against those expected and, when asked, the
    panel score once all are in (the grading policy's rule, scoring.domain.panel_score).
    Four queries; six with the scores."""
    judges = {j.pk: j for j in competition.judges.active()}
    counting = {pk for pk, j in judges.items() if not j.is_observer}
    recused = defaultdict(set)
    for contestant_id, judge_id in Judge.recusals.through.objects.filter(
        judge_id__in=counting
    ).values_list("contestant_id", "judge_id"):
        recused[contestant_id].add(judge_id)
    sheets = defaultdict(list)
    for sheet in ScoreSheet.objects.filter(
        judge_id__in=judges, status=ScoreSheet.Status.SUBMITTED
    ).annotate(total=Sum("scores__points")):
        sheets[sheet.contestant_id].append(sheet)
    maximum = policy = None
    if with_scores:
        maximum = competition_maximum(list(competition.criteria.all())) or Decimal(1)
        policy = policy_of(competition).to_domain()
    result = {}
    for contestant_id in competition.contestants.values_list("pk", flat=True):
        expected = counting - recused[contestant_id]
        mine = sheets[contestant_id]
        submitted = sum(s.judge_id in expected for s in mine)
        panel = None
        if with_scores and expected and submitted >= len(expected):
            inputs = [
                domain.SheetInput(
                    s.judge_id,
                    domain.sheet_percent(s.total or Decimal(0), maximum),
                    policy.weight_of(judges[s.judge_id].role),
                    judges[s.judge_id].is_observer,
                )
                for s in mine
            ]
            score = domain.panel_score(inputs, policy).score
            panel = domain.round2(score) if score is not None else None
        result[contestant_id] = Standing(len(expected), submitted, panel)
    return result


def clock(stage: Stage) -> dict:
    """The segment's clock as the browser needs it to count down by itself."""
    return {
        "segment": stage.segment,
        "duration_ms": stage.seconds_of(stage.segment) * 1000,
        "elapsed_ms": stage.elapsed_ms,
        "running": stage.running,
        # Milliseconds since the epoch: the browser adds its offset from the server's clock.
        "started_ms": int(stage.started_at.timestamp() * 1000) if stage.started_at else None,
    }


def segments(stage: Stage) -> list[tuple[str, str, int]]:
    return [(s.value, s.label, stage.seconds_of(s.value) // 60) for s in SEGMENTS]


def screen_state(competition: Competition) -> dict:
    """Everything the big screen shows, as JSON: who is on stage, the segment and its clock, the
    question drawn, the speaking order with who is done, the judges' progress on the contestant
    on stage as a count, and — only where the stage's settings allow it — each contestant's
    panel score once every counting sheet of them is in. Never a grade."""
    stage = stage_of(competition)
    turns = speaking_order(competition, stage)
    standing = standings(competition, with_scores=stage.show_panel_score)
    draw = question_on_stage(stage)
    labels = criterion_labels(competition) if draw else {}
    current = stage.contestant

    def score(contestant_id):
        panel = standing[contestant_id].panel if stage.show_panel_score else None
        return f"{panel:.2f}" if panel is not None else None

    return {
        "title": competition.title,
        "status": competition.status,
        "finished": stage.finished,
        "on_stage": current
        and {
            "id": current.pk,
            "order": current.order,
            "name": current.secretary.name,
            "village": current.village.name,
            "score": score(current.pk),
        },
        "segment": stage.get_segment_display() if stage.segment else "",
        "clock": clock(stage),
        "question": draw
        and {
            "text": draw.question.text,
            "criterion": labels.get(draw.question.criterion_code, draw.question.criterion_code),
        },
        "progress": current
        and {
            "submitted": standing[current.pk].submitted,
            "expected": standing[current.pk].expected,
        },
        "order": [
            {
                "order": t.contestant.order,
                "name": t.contestant.secretary.name,
                "village": t.contestant.village.name,
                "state": t.state,
                "score": score(t.contestant.pk) if t.state == "done" else None,
            }
            for t in turns
        ],
    }
