"""Writes on stage: the controller's steps, the stage's settings, the question bank and its
draws, and screen links.

Each function is atomic, locks the competition's stage row (two staff tablets may race on the
same step) and records a Step in the same transaction. A refused action raises ActionRefused
with a message for the user and changes nothing.
"""

import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.models import Competition, Contestant
from competition.notes import part
from competition.services import ActionRefused, set_absent
from scoring.models import ScoreSheet
from stage.bank import QuestionRow
from stage.models import ON_STAGE, SEGMENTS, Draw, Question, ScreenLink, Segment, Stage, Step
from stage.queries import stopped_at_close

ACTIONS = ("start", "pause", "next_segment", "next_contestant", "skip", "back")


def _require_open(competition: Competition) -> None:
    if competition.status not in ON_STAGE:
        raise ActionRefused(
            _("Not possible now: the competition is %(status)s.")
            % {"status": competition.get_status_display()}
        )


def _locked_stage(competition: Competition) -> Stage:
    """The competition's stage row, made on first use, locked until the transaction ends; the
    competition's status read fresh with it."""
    Stage.objects.get_or_create(competition=competition)
    stage = (
        Stage.objects.select_for_update().select_related("competition").get(competition=competition)
    )
    _require_open(stage.competition)
    return stopped_at_close(stage)


# Steps of the day, not of anyone's turn: logged with no contestant and no segment.
OF_THE_DAY = (Step.Kind.SETTINGS, Step.Kind.SCREEN)


def _record(
    stage: Stage,
    kind: str,
    by: User,
    *parts: dict,
    note: str = "",
    contestant=None,
    segment=None,
) -> Step:
    """Log a step, by default of the contestant and segment on stage now: its parts
    (`competition.notes.part`), put into words when read, and what was typed or drawn."""
    stage.version += 1
    stage.save()
    of_turn = kind not in OF_THE_DAY
    return Step.objects.create(
        competition_id=stage.competition_id,
        kind=kind,
        contestant=(contestant or stage.contestant) if of_turn else None,
        segment=(segment if segment is not None else stage.segment) if of_turn else "",
        by=by,
        detail=list(parts),
        note=note,
    )


def _present(stage: Stage):
    """The contestants still to speak or spoken, in speaking order: not marked absent."""
    return Contestant.objects.filter(
        competition_id=stage.competition_id, order__isnull=False, absent=False
    ).order_by("order")


def _elapsed_ms(stage: Stage, now) -> int:
    if not stage.running:
        return stage.elapsed_ms
    return stage.elapsed_ms + int((now - stage.started_at).total_seconds() * 1000)


def _begin(stage: Stage, contestant, segment: str, *, running: bool, now) -> None:
    stage.contestant, stage.segment, stage.elapsed_ms = contestant, segment, 0
    stage.running, stage.started_at = running, now if running else None
    stage.finished = contestant is None


def _segment_left(stage: Stage, contestant) -> str:
    """The segment a contestant was in when they last left the stage, to go back to it (the
    duty report if their clock never ran)."""
    left = (
        Step.objects.filter(
            competition_id=stage.competition_id,
            contestant=contestant,
            kind=Step.Kind.NEXT_CONTESTANT,
        )
        .order_by("-pk")
        .values_list("segment", flat=True)
        .first()
    )
    return left or Segment.REPORT


def _next_after(stage: Stage, now, by: User, kind: str, *parts: dict) -> Stage:
    """The next present contestant after the one on stage comes up, waiting for Start; after
    the last, the afternoon is done."""
    leaving, segment = stage.contestant, stage.segment
    if not Step.objects.filter(kind=Step.Kind.START, contestant=leaving).exists():
        segment = ""  # passed over before their clock ever ran: no segment was left
    following = _present(stage).filter(order__gt=leaving.order).first()
    _begin(stage, following, Segment.REPORT if following else "", running=False, now=now)
    # Logged as the contestant leaves, in the segment they were in, naming who comes up.
    coming = (part("next", who=str(following)),) if following else ()
    _record(stage, kind, by, *parts, *coming, contestant=leaving, segment=segment)
    if following is None:
        _record(stage, Step.Kind.FINISH, by)
    return stage


@transaction.atomic
def step(*, competition: Competition, action: str, by: User) -> Stage:
    """One step of the controller: start (or resume), pause, next segment, next contestant,
    skip the contestant on stage as absent, or back (the previous segment, else the previous
    contestant, in the segment they left). The clock restarts at each new segment."""
    if action not in ACTIONS:
        raise ActionRefused(_("Unknown step."))
    stage = _locked_stage(competition)
    now = timezone.now()
    if action == "start":
        if stage.running:
            raise ActionRefused(_("The clock is already running."))
        if stage.contestant is None:
            if stage.finished:
                raise ActionRefused(_("Every contestant has had their turn."))
            first = _present(stage).first()
            if first is None:
                raise ActionRefused(_("No contestant is in the speaking order."))
            _begin(stage, first, Segment.REPORT, running=True, now=now)
            _record(stage, Step.Kind.START, by)
            return stage
        # A clock that has run in this segment goes on from where it was paused.
        kind = Step.Kind.RESUME if stage.elapsed_ms else Step.Kind.START
        stage.segment = stage.segment or Segment.REPORT
        stage.running, stage.started_at = True, now
        _record(stage, kind, by)
        return stage
    if stage.contestant is None:
        if action == "back" and stage.finished:
            last = _present(stage).last()
            if last is not None:
                _begin(stage, last, _segment_left(stage, last), running=False, now=now)
                _record(stage, Step.Kind.BACK, by)
                return stage
        raise ActionRefused(_("No one is on stage: press Start first."))
    if action == "pause":
        if not stage.running:
            raise ActionRefused(_("The clock is not running."))
        stage.elapsed_ms, stage.running, stage.started_at = _elapsed_ms(stage, now), False, None
        _record(stage, Step.Kind.PAUSE, by)
    elif action == "next_segment":
        position = SEGMENTS.index(stage.segment or Segment.REPORT)
        if position + 1 >= len(SEGMENTS):
            raise ActionRefused(_("This is the last segment: go on to the next contestant."))
        _begin(stage, stage.contestant, SEGMENTS[position + 1], running=True, now=now)
        _record(stage, Step.Kind.NEXT_SEGMENT, by)
    elif action == "next_contestant":
        _next_after(stage, now, by, Step.Kind.NEXT_CONTESTANT)
    elif action == "skip":
        if stage.contestant.sheets.filter(status=ScoreSheet.Status.SUBMITTED).exists():
            # Skip is for a secretary who did not come: one tap must not take a scored
            # contestant out of the results (Mark absent on the setup page still can).
            raise ActionRefused(
                _("%(who)s already has submitted score sheets: go on with Next contestant.")
                % {"who": stage.contestant}
            )
        set_absent(contestant=stage.contestant, absent=True, by=by)
        _next_after(stage, now, by, Step.Kind.SKIP, part("absent", who=str(stage.contestant)))
    else:  # back
        position = SEGMENTS.index(stage.segment or Segment.REPORT)
        if position > 0:
            _begin(stage, stage.contestant, SEGMENTS[position - 1], running=False, now=now)
        else:
            previous = _present(stage).filter(order__lt=stage.contestant.order).last()
            if previous is None:
                raise ActionRefused(_("This is the first contestant."))
            _begin(stage, previous, _segment_left(stage, previous), running=False, now=now)
        _record(stage, Step.Kind.BACK, by)
    return stage


@transaction.atomic
def update_settings(
    *, competition: Competition, minutes: dict[str, int], show_panel_score: bool, by: User
) -> Stage:
    """The segments' durations (whole minutes, 1 to 120) and whether the big screen shows a
    contestant's panel score once every counting sheet of them is in."""
    stage = _locked_stage(competition)
    for segment in SEGMENTS:
        value = minutes[segment]
        if not 1 <= value <= 120:
            raise ActionRefused(_("A segment lasts from 1 to 120 minutes."))
        setattr(stage, f"{segment}_seconds", value * 60)
    stage.show_panel_score = show_panel_score
    shown = {str(s): minutes[s] for s in SEGMENTS}
    _record(stage, Step.Kind.SETTINGS, by, part("settings", minutes=shown, panel=show_panel_score))
    return stage


def _criteria_codes(competition: Competition) -> set[str]:
    return set(competition.criteria.values_list("code", flat=True))


@transaction.atomic
def add_question(*, competition: Competition, criterion_code: str, text: str, by: User) -> Question:
    _require_open(competition)
    text = " ".join(text.split())
    if criterion_code not in _criteria_codes(competition):
        raise ActionRefused(_("Choose one of the competition's criteria."))
    if not text:
        raise ActionRefused(_("Type the question."))
    if len(text) > 500:
        raise ActionRefused(_("A question has at most 500 characters."))
    if Question.objects.filter(competition=competition, text=text).exists():
        raise ActionRefused(_("This question is already in the bank."))
    return Question.objects.create(
        competition=competition, criterion_code=criterion_code, text=text
    )


@transaction.atomic
def remove_question(*, question: Question, by: User) -> None:
    _require_open(question.competition)
    if question.draws.exists():
        raise ActionRefused(_("This question has been drawn: it stays in the bank and the log."))
    question.delete()


@transaction.atomic
def import_questions(*, competition: Competition, rows: list[QuestionRow], by: User) -> int:
    """Add the rows read from a file (stage.bank.parse_questions, which checked each). Every row
    or none: a question already in the bank refuses the file."""
    _require_open(competition)
    known = set(Question.objects.filter(competition=competition).values_list("text", flat=True))
    repeated = [row for row in rows if row.text in known]
    if repeated:
        raise ActionRefused(
            _("Row %(line)s: this question is already in the bank. Nothing was imported.")
            % {"line": repeated[0].line}
        )
    try:
        with transaction.atomic():
            Question.objects.bulk_create(
                Question(competition=competition, criterion_code=r.criterion_code, text=r.text)
                for r in rows
            )
    except IntegrityError as exc:  # added meanwhile by someone else
        raise ActionRefused(_("The bank changed meanwhile; import the file again.")) from exc
    return len(rows)


@transaction.atomic
def draw_question(
    *,
    competition: Competition,
    by: User,
    criterion_code: str = "",
    exclude: frozenset = frozenset(),
) -> Draw:
    """Draw a question at random (`secrets`) for the contestant on stage, from the bank or from
    one criterion's questions: among those drawn least often in this competition, so that no
    question comes twice before every one has come once."""
    stage = _locked_stage(competition)
    if stage.contestant is None:
        raise ActionRefused(_("No one is on stage: press Start first."))
    bank = Question.objects.filter(competition=competition).exclude(pk__in=exclude)
    if criterion_code:
        bank = bank.filter(criterion_code=criterion_code)
    counted = dict(bank.annotate(n=Count("draws")).values_list("pk", "n"))
    if not counted:
        raise ActionRefused(_("There is no question to draw: add questions to the bank first."))
    fewest = min(counted.values())
    pick = secrets.choice(sorted(pk for pk, n in counted.items() if n == fewest))
    draw = Draw.objects.create(
        competition=competition, question_id=pick, contestant=stage.contestant, by=by
    )
    again = (part("drawn_again"),) if fewest else ()
    _record(stage, Step.Kind.DRAW, by, *again, note=Question.objects.get(pk=pick).text)
    return draw


@transaction.atomic
def set_aside(*, draw: Draw, reason: str, by: User, criterion_code: str = "") -> Draw:
    """Set aside the question drawn for the contestant on stage, with a reason, and draw
    another (never one already set aside for them)."""
    stage = _locked_stage(draw.competition)
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Give the reason for setting the question aside."))
    current = Draw.objects.select_for_update().filter(pk=draw.pk, set_aside_at__isnull=True)
    if stage.contestant_id != draw.contestant_id or not current.exists():
        raise ActionRefused(_("This question is no longer the one on stage."))
    current.update(set_aside_at=timezone.now(), set_aside_reason=reason)
    _record(stage, Step.Kind.SET_ASIDE, by, note=f"{draw.question.text} · {reason}")
    excluded = Draw.objects.filter(contestant_id=draw.contestant_id).filter(
        ~Q(set_aside_at__isnull=True)
    )
    return draw_question(
        competition=draw.competition,
        by=by,
        criterion_code=criterion_code,
        exclude=frozenset(excluded.values_list("question_id", flat=True)),
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_screen_link(*, competition: Competition, by: User) -> str:
    """A new screen link; returns its token, which exists only in this return value and in the
    link staff copy to the projector's computer."""
    stage = _locked_stage(competition)
    token = secrets.token_urlsafe(32)  # 256 bits
    ScreenLink.objects.create(competition=competition, token_hash=_hash(token), by=by)
    _record(stage, Step.Kind.SCREEN, by, part("screen_issued"))
    return token


@transaction.atomic
def revoke_screen_link(*, link: ScreenLink, by: User) -> None:
    stage = _locked_stage(link.competition)
    if ScreenLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    ):
        _record(stage, Step.Kind.SCREEN, by, part("screen_revoked"))


def token_hash(token: str) -> str:
    return _hash(token)
