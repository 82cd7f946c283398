"""Saving a score sheet: the checks, the scores, the problems noted and the revision.

`save_sheet` is the one path by which points reach the database — from a judge's phone, its
offline outbox, or staff typing in a paper sheet — and it writes the audit record.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.models import (
    Competition,
    Contestant,
    Judge,
    Problem,
    problem_key,
    problem_text,
)
from competition.services import ActionRefused
from scoring import domain
from scoring.models import (
    CompetitionCriterion,
    Score,
    ScoreSheet,
    SheetRevision,
)
from scoring.sheets import queries

MAX_PROBLEMS = 20


MAX_VERSION = 2**31 - 1  # the largest a PositiveIntegerField holds everywhere


MAX_TEXT = 2000


@dataclass(frozen=True)
class SaveResult:
    """What the server holds after a save: `applied` is False for a repeat or a stale version;
    `total` is the sum of the points the sheet holds, `maximum` the competition's, the sum of
    its criteria's."""

    sheet: ScoreSheet
    applied: bool
    stale: bool
    total: Decimal
    maximum: Decimal

    @property
    def version(self) -> int:
        return self.sheet.version


class SheetInvalid(Exception):
    """Bad input: `errors` maps a field (a criterion code, "comment", "problems", "version")
    to a message for the user. Nothing was stored."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


POINTS_MESSAGES = {
    "number": lambda c: _("Enter a number."),
    "negative": lambda c: _("Points cannot be negative."),
    "over_maximum": lambda c: (
        _("At most %(max)s points.") % {"max": f"{c.max_points.normalize():f}"}
    ),
    "step": lambda c: _("Use steps of 0.5 points."),
}


def snapshot(sheet: ScoreSheet, points: dict[str, Decimal] | None = None) -> dict:
    """A sheet as plain values, for the audit trail and the judge's device."""
    if points is None:
        points = {s.criterion.code: s.points for s in sheet.scores.select_related("criterion")}
    return {
        "status": sheet.status,
        "points": {code: str(value) for code, value in sorted(points.items())},
        "comment": sheet.comment,
        "problems": list(sheet.problems),
        "entered_by": sheet.entered_by_id,
    }


def _clean(
    criteria: list[CompetitionCriterion],
    points: dict[str, object],
    comment: str,
    problems: list[str],
    submit: bool,
) -> dict[str, Decimal]:
    errors: dict[str, str] = {}
    by_code = {c.code: c for c in criteria}
    for code in points:
        if code not in by_code:
            errors[code] = _("“%(code)s” is not a criterion of this competition.") % {"code": code}
    cleaned: dict[str, Decimal] = {}
    for code, criterion in by_code.items():
        raw = points.get(code)
        if raw is None or str(raw).strip() == "":
            if submit:
                errors[code] = _("Give points for every item before submitting.")
            continue
        try:
            cleaned[code] = domain.parse_points(raw, criterion.max_points)
        except domain.PointsError as exc:
            errors[code] = POINTS_MESSAGES[exc.reason](criterion)
    if len(comment) > MAX_TEXT or "\x00" in comment:
        errors["comment"] = _("The comment is too long or holds invalid characters.")
    if len(problems) > MAX_PROBLEMS or any(len(p) > MAX_TEXT or "\x00" in p for p in problems):
        errors["problems"] = _("At most %(n)s problems, each a short text.") % {"n": MAX_PROBLEMS}
    if errors:
        raise SheetInvalid(errors)
    return cleaned


def _sync_problems(sheet: ScoreSheet, contestant: Contestant, judge: Judge) -> None:
    """Each line of the sheet's problems is a problem of the contestant's village that this
    judge raised. Judges raising the same text (problem_key) are one problem with each of them
    among its raisers. A line taken out before staff acted on it no longer names this judge,
    and a problem nobody raises any more disappears; a problem staff have taken up stays."""
    lines = {problem_key(text): problem_text(text) for text in sheet.problems}
    mine = {p.text_key: p for p in Problem.objects.filter(contestant=contestant, raisers=judge)}
    dropped = [
        p.pk
        for key, p in mine.items()
        if key not in lines and p.status == Problem.Status.OPEN and not p.owner
    ]
    added = [key for key in lines if key not in mine]
    if not dropped and not added:
        return
    # Another judge may raise or drop the same problem at the same moment: lock the problems
    # touched, in one statement and one order. A problem is deleted only once no judge raises
    # it, read after the lock; one deleted while this save waited for it is made again.
    touched: dict[str, int] = {}
    for attempt in range(3):
        missing = [key for key in added if key not in touched]
        Problem.objects.bulk_create(
            [
                Problem(
                    competition_id=contestant.competition_id,
                    contestant=contestant,
                    village_id=contestant.village_id,
                    text=lines[key],
                    text_key=key,
                )
                for key in missing
            ],
            ignore_conflicts=True,
        )
        locked = (
            Problem.objects.select_for_update()
            .filter(
                Q(pk__in=dropped if attempt == 0 else [])
                | Q(competition_id=contestant.competition_id, text_key__in=missing)
            )
            .filter(village_id=contestant.village_id)
            .order_by("pk")
            .values_list("text_key", "pk")
        )
        touched.update(locked)
        if all(key in touched for key in added):
            break
    else:
        raise ActionRefused(_("The problems could not be saved; send the sheet again."))
    Raiser = Problem.raisers.through
    Raiser.objects.filter(judge=judge, problem_id__in=dropped).delete()
    Raiser.objects.bulk_create(
        [Raiser(problem_id=touched[key], judge=judge) for key in added],
        ignore_conflicts=True,
    )
    if dropped:
        Problem.objects.filter(pk__in=dropped, raisers=None).delete()


def rewrite_points(
    sheet: ScoreSheet, criteria: list[CompetitionCriterion], points: dict[str, object]
) -> tuple[dict, dict]:
    """Give a submitted sheet, locked by the caller, new points checked as a submit is (a
    correction after publication); its version goes up by one. Returns its snapshots before
    and after."""
    cleaned = _clean(criteria, points, sheet.comment, list(sheet.problems), True)
    scores = list(sheet.scores.select_related("criterion"))
    old = snapshot(sheet, {s.criterion.code: s.points for s in scores})
    by_code = {c.code: c for c in criteria}
    _write_scores(sheet, {by_code[code]: value for code, value in cleaned.items()}, scores)
    sheet.version += 1
    sheet.save(update_fields=["version", "updated_at"])
    return old, snapshot(sheet, cleaned)


def _write_scores(
    sheet: ScoreSheet, points: dict[CompetitionCriterion, Decimal], scores: list[Score]
) -> None:
    """Make the sheet's scores (`scores`, as they stand) exactly `points`, in at most two
    queries: delete the items no longer given, then write the changed and the new in one
    insert that updates the rows already there (a score keeps its row)."""
    wanted = {c.pk for c in points}
    stale = [s.pk for s in scores if s.criterion_id not in wanted]
    if stale:
        Score.objects.filter(pk__in=stale).delete()
    standing = {s.criterion_id: s.points for s in scores}
    Score.objects.bulk_create(
        [
            Score(sheet=sheet, criterion=c, points=value)
            for c, value in points.items()
            if standing.get(c.pk) != value
        ],
        update_conflicts=True,
        unique_fields=["sheet", "criterion"],
        update_fields=["points"],
    )


# Why a judge who left the panel cannot save.
INACTIVE = {
    Judge.Status.ABSENT: gettext_lazy(
        "This judge is marked absent: sheets are no longer accepted."
    ),
    Judge.Status.WITHDRAWN: gettext_lazy(
        "This judge has been withdrawn from the panel: sheets are no longer accepted."
    ),
}


def save_sheet(
    *,
    judge: Judge,
    contestant: Contestant,
    points: dict[str, object],
    comment: str = "",
    problems: list[str] | None = None,
    version: int,
    submit: bool,
    by: User,
) -> SaveResult:
    """Save a judge's sheet for a contestant, as a draft or submitted.

    Each save carries a version from the judge's device. A version the server already holds is
    answered without change (a resend); an older one is refused as stale — an older version never
    replaces a newer one. Every applied save writes a SheetRevision with the old and new values.
    Raises ActionRefused (not allowed now) or SheetInvalid (bad input); nothing is stored then.
    """
    comment = comment.strip()
    problems = [p.strip() for p in (problems or []) if p and p.strip()]
    if not 1 <= version <= MAX_VERSION:
        raise SheetInvalid({"version": _("The form is out of date; reload the page.")})
    with transaction.atomic():
        # Lock the judge's seat first. A change to the competition (a close, a withdrawal, a
        # contestant marked absent) locks every seat (competition.services.lock): it waits for
        # the saves in progress, and a save that comes after it waits, then reads the change
        # and is refused whole. Other judges' saves go on side by side; the same judge's
        # resends or racing phones go one at a time, even before their sheet exists.
        seat_status = queries.lock_seat(judge)
        competition, absent, recused = queries.scoring_state(contestant, judge)
        if competition.status != Competition.Status.SCORING:
            raise ActionRefused(
                _("Scores are not accepted: the competition is %(status)s.")
                % {"status": competition.get_status_display()}
            )
        if judge.competition_id != competition.pk:
            raise ActionRefused(_("This judge does not sit on this contestant's competition."))
        if seat_status != Judge.Status.ACTIVE:
            raise ActionRefused(str(INACTIVE.get(seat_status, INACTIVE[Judge.Status.WITHDRAWN])))
        if absent:
            raise ActionRefused(_("%(who)s is absent and is not scored.") % {"who": contestant})
        if recused:
            raise ActionRefused(_("This judge is recused from %(who)s.") % {"who": contestant})
        criteria = queries.scoring_criteria(competition)
        cleaned = _clean(criteria, points, comment, problems, submit)
        sheet = queries.locked_sheet(contestant, judge)
        if sheet is not None and version <= sheet.version:
            # A resend of the version the server holds is answered as applied before. The same
            # number with other contents comes from elsewhere — a second phone, or staff typing
            # the paper sheet — and is refused like an older version: it was not used.
            resend = version == sheet.version and _holds(sheet, cleaned, comment, problems, submit)
            held = cleaned.values() if resend else queries.sheet_points(sheet)
            return SaveResult(
                sheet=sheet,
                applied=False,
                stale=not resend,
                total=domain.sheet_total(held),
                maximum=queries.competition_maximum(criteria),
            )
        if sheet is None:
            # Created only now that the save will apply: a refusal leaves no empty sheet.
            sheet = ScoreSheet(contestant=contestant, judge=judge)
        if sheet.status == ScoreSheet.Status.SUBMITTED and not submit:
            # A submitted sheet stays submitted: a later draft save revises it in place.
            submit = True
            if len(cleaned) != len(criteria):
                raise SheetInvalid({"version": _("A submitted sheet needs every item.")})

        # The scores as they stand: for the audit trail and to change only what changed.
        existing = queries.sheet_scores(sheet) if sheet.pk else []
        code_of = {c.pk: c.code for c in criteria}
        old = (
            snapshot(sheet, {code_of[s.criterion_id]: s.points for s in existing})
            if sheet.pk
            else None
        )
        had_problems = bool(sheet.problems)
        sheet.version = version
        sheet.comment = comment
        sheet.problems = problems
        sheet.entered_by = by if by.pk != judge.user_id else None
        if submit:
            sheet.status = ScoreSheet.Status.SUBMITTED
            sheet.submitted_at = sheet.submitted_at or timezone.now()
        sheet.save()
        by_code = {c.code: c for c in criteria}
        _write_scores(sheet, {by_code[code]: value for code, value in cleaned.items()}, existing)
        SheetRevision.objects.create(
            sheet=sheet, by=by, version=version, old=old, new=snapshot(sheet, cleaned)
        )
        if had_problems or problems:  # problems come only from sheets: none before, none now
            _sync_problems(sheet, contestant, judge)
    return SaveResult(
        sheet=sheet,
        applied=True,
        stale=False,
        total=domain.sheet_total(cleaned.values()),
        maximum=queries.competition_maximum(criteria),
    )


def _holds(
    sheet: ScoreSheet, points: dict[str, Decimal], comment: str, problems: list[str], submit: bool
) -> bool:
    """Whether the saved sheet already says exactly this."""
    saved = {s.criterion.code: s.points for s in sheet.scores.select_related("criterion")}
    return (
        saved == points
        and sheet.comment == comment
        and list(sheet.problems) == problems
        and (sheet.status == ScoreSheet.Status.SUBMITTED) >= submit
    )
