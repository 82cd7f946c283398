"""Writes to the numbers: competitions' criteria, opening for scoring, and every sheet save.

`save_sheet` is the one path by which points reach the database — from a judge's phone, its
offline outbox, or staff typing in a paper sheet — and it writes the audit record.
"""

import base64
import hashlib
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.contrib.auth.models import User
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from competition import services as event
from competition.models import (
    Competition,
    Contestant,
    Event,
    Judge,
    Problem,
    problem_key,
    problem_text,
)
from competition.services import ActionRefused
from scoring import domain, queries
from scoring.models import (
    TALLY_FIELDS,
    Ballot,
    BallotToken,
    CompetitionCriterion,
    Criterion,
    DifferingTally,
    GradeOverride,
    GradingPolicy,
    PaperTally,
    Publication,
    Scheme,
    Score,
    ScoreSheet,
    SheetRevision,
)
from villages.models import Street

MAX_PROBLEMS = 20
MAX_VERSION = 2**31 - 1  # the largest a PositiveIntegerField holds everywhere
MAX_TEXT = 2000


def _copy(criterion: Criterion, competition: Competition) -> CompetitionCriterion:
    return CompetitionCriterion(
        competition=competition,
        source=criterion,
        code=criterion.code,
        name=criterion.name,
        name_en=criterion.name_en,
        guidance=criterion.guidance,
        guidance_en=criterion.guidance_en,
        max_points=criterion.max_points,
        required=criterion.required,
        position=criterion.position,
    )


def _choose(competition: Competition, scheme: Scheme, optional_codes: list[str]) -> None:
    criteria = list(scheme.criteria.all())
    known = {c.code for c in criteria if not c.required}
    unknown = set(optional_codes) - known
    if unknown:
        raise ActionRefused(
            _("Not an optional item of this scheme: %(codes)s") % {"codes": ", ".join(unknown)}
        )
    chosen = [c for c in criteria if c.required or c.code in optional_codes]
    competition.criteria.all().delete()
    CompetitionCriterion.objects.bulk_create(_copy(c, competition) for c in chosen)


@transaction.atomic
def create_competition(
    *,
    street: Street,
    year: int,
    quarter: int,
    scheme: Scheme,
    optional_codes: list[str],
    by: User,
    held_on=None,
    venue: str = "",
) -> Competition:
    """A street's ring competition for a quarter, in draft, with the scheme's criteria copied:
    the five required items and the chosen optional ones."""
    if Competition.objects.filter(
        level=Competition.Level.STREET, street=street, year=year, quarter=quarter
    ).exists():
        raise ActionRefused(
            _("%(street)s already has a competition for %(year)s Q%(quarter)s.")
            % {"street": street.name, "year": year, "quarter": quarter}
        )
    competition = Competition.objects.create(
        level=Competition.Level.STREET,
        district_id=street.district_id,
        street=street,
        year=year,
        quarter=quarter,
        held_on=held_on,
        venue=venue,
    )
    _choose(competition, scheme, optional_codes)
    district_policy(street.district).copy_for(competition).save()
    event.log(competition, Event.Kind.CREATED, by, scheme.label)
    return competition


def district_policy(district) -> GradingPolicy:
    """The district's default grading policy, created with DESIGN.md's defaults if missing."""
    policy, _created = GradingPolicy.objects.get_or_create(district=district)
    return policy


@transaction.atomic
def choose_criteria(
    *, competition: Competition, scheme: Scheme, optional_codes: list[str], by: User
) -> None:
    """Change the N optional items; only in draft — from scoring on the criteria are frozen."""
    locked = event.lock(competition)
    if locked.status != Competition.Status.DRAFT:
        raise ActionRefused(_("The criteria are frozen once scoring has started."))
    _choose(locked, scheme, optional_codes)
    # The log names the items as the page does, not by their codes.
    names = [c.label for c in locked.criteria.filter(required=False)]
    event.log(
        locked,
        Event.Kind.CRITERIA,
        by,
        _("criteria: %(codes)s") % {"codes": ", ".join(names) or "—"},
    )


def open_scoring(*, competition: Competition, by: User) -> None:
    """Draft → scoring, once criteria, an ordered list of contestants and a panel are set."""
    with transaction.atomic():
        locked = event.lock(competition)
        problems = []
        if not locked.criteria.exists():
            problems.append(_("choose the criteria"))
        present = locked.contestants.filter(absent=False)
        if not present.exists():
            problems.append(_("add contestants"))
        elif present.filter(order__isnull=True).exists():
            problems.append(_("set the speaking order"))
        if not locked.judges.exclude(role=Judge.Role.OBSERVER).exists():
            problems.append(_("add judges"))
        if problems:
            raise ActionRefused(_("Before scoring: %(todo)s.") % {"todo": "; ".join(problems)})
        event.transition(competition=competition, action="open", by=by)


@dataclass(frozen=True)
class SaveResult:
    """What the server holds after a save: `applied` is False for a repeat or a stale version;
    `maximum` is the competition's, the sum of its criteria's."""

    sheet: ScoreSheet
    applied: bool
    stale: bool
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
        competition = Competition.objects.get(pk=contestant.competition_id)
        if competition.status != Competition.Status.SCORING:
            raise ActionRefused(
                _("Scores are not accepted: the competition is %(status)s.")
                % {"status": competition.get_status_display()}
            )
        if judge.competition_id != competition.pk:
            raise ActionRefused(_("This judge does not sit on this contestant's competition."))
        if seat_status != Judge.Status.ACTIVE:
            raise ActionRefused(str(INACTIVE.get(seat_status, INACTIVE[Judge.Status.WITHDRAWN])))
        absent, recused = queries.absent_or_recused(contestant, judge)
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
            maximum = queries.competition_maximum(criteria)
            return SaveResult(sheet=sheet, applied=False, stale=not resend, maximum=maximum)
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
    maximum = queries.competition_maximum(criteria)
    return SaveResult(sheet=sheet, applied=True, stale=False, maximum=maximum)


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


def gaps_note(report: queries.Completeness) -> str:
    """What was missing at the close, in a line for the event log."""
    totals = report.totals
    phrases = {
        "missing": lambda n: ngettext("%(n)s sheet not in", "%(n)s sheets not in", n),
        "drafts": lambda n: ngettext("%(n)s draft not submitted", "%(n)s drafts not submitted", n),
        "below_minimum": lambda n: ngettext(
            "%(n)s contestant below the trimmed mean's minimum",
            "%(n)s contestants below the trimmed mean's minimum",
            n,
        ),
        "tally_unconfirmed": lambda n: ngettext(
            "%(n)s paper tally not confirmed", "%(n)s paper tallies not confirmed", n
        ),
        "tokens_unused": lambda n: ngettext(
            "%(n)s ballot code unused", "%(n)s ballot codes unused", n
        ),
    }
    parts = [
        phrase(totals[name]) % {"n": totals[name]}
        for name, phrase in phrases.items()
        if totals[name]
    ]
    return _("; ").join(parts)


def close_scoring(*, competition: Competition, by: User, reason: str = "") -> None:
    """Scoring → closed. When anything is missing (sheets not in, drafts, contestants below the
    trimmed mean's minimum, unconfirmed tallies, unused ballot codes), closing needs a written
    reason; the event log records what was missing and why the competition closed anyway.
    The check runs on the locked competition, so it sees every sheet saved before the close.
    Judges' sheets and ballots stop, and the ballots are sealed (`seal_ballots`)."""
    from scoring import results

    with transaction.atomic():
        locked = event.lock(competition)
        report = queries.completeness(locked, results.policy_of(locked))
        note = ""
        if not report.complete:
            if not reason.strip():
                raise ActionRefused(
                    _("Not everything is in (%(gaps)s): give the reason for closing anyway.")
                    % {"gaps": gaps_note(report)}
                )
            note = _("%(gaps)s. Reason: %(reason)s") % {
                "gaps": gaps_note(report),
                "reason": reason.strip(),
            }
        event.transition(competition=locked, action="close", by=by, note=note)
        seal_ballots(competition=locked)
        competition.status = locked.status


def publish_competition(*, competition: Competition, by: User) -> Publication:
    """Closed → published: the results document is frozen with its SHA-256 digest. A contestant
    with no counting sheet cannot be published: score them, or mark them absent."""
    from scoring import results

    with transaction.atomic():
        event.transition(competition=competition, action="publish", by=by)
        report = queries.completeness(competition, results.policy_of(competition))
        if report.without_sheet:
            raise ActionRefused(
                _(
                    "No counting sheet for %(names)s: reopen scoring for their sheets, or mark "
                    "them absent, before publishing."
                )
                % {
                    "names": _(", ").join(
                        _("%(name)s (%(village)s)")
                        % {
                            "name": row.contestant.secretary.name,
                            "village": row.contestant.village.name,
                        }
                        for row in report.without_sheet
                    )
                }
            )
        document = results.build_document(competition)
        document["competition"]["digest"] = results.digest(document)
        return Publication.objects.create(
            competition=competition,
            version=1,
            document=document,
            digest=document["competition"]["digest"],
            by=by,
        )


def override_grade(*, contestant: Contestant, grade: str, reason: str, by: User):
    """Set a grade by hand, with a written reason, before publication (after it: `amend`)."""
    if not reason.strip():
        raise ActionRefused(_("A grade set by hand needs a written reason."))
    with transaction.atomic():
        competition = event.lock(contestant.competition)
        if competition.status != Competition.Status.CLOSED:
            raise ActionRefused(_("Grades are set by hand after closing and before publishing."))
        GradeOverride.objects.update_or_create(
            contestant=contestant, defaults={"grade": grade, "reason": reason.strip(), "by": by}
        )


def amend_published(
    *,
    competition: Competition,
    by: User,
    reason: str,
    contestant: Contestant,
    grade: str | None = None,
    judge: Judge | None = None,
    points: dict[str, object] | None = None,
) -> Publication:
    """Correct published results: a grade set by hand, or a fix to one judge's sheet.

    Needs a written reason. The change is recorded (the grade override, or a sheet revision),
    and a new version of the results document is published with its own digest; earlier
    versions stay as they were.
    """
    from scoring import results

    if not reason.strip():
        raise ActionRefused(_("A correction needs a written reason."))
    with transaction.atomic():
        locked = event.lock(competition)
        if locked.status != Competition.Status.PUBLISHED:
            raise ActionRefused(_("Only published results are corrected this way."))
        if contestant.competition_id != locked.pk:
            raise ActionRefused(_("This contestant is not in this competition."))
        if grade is not None:
            GradeOverride.objects.update_or_create(
                contestant=contestant, defaults={"grade": grade, "reason": reason.strip(), "by": by}
            )
        if points is not None:
            if judge is None or judge.competition_id != locked.pk:
                raise ActionRefused(_("Choose a judge of this competition."))
            # Ordered by the key alone: the default ordering joins tables that cannot be locked.
            sheet = (
                ScoreSheet.objects.select_for_update()
                .filter(judge=judge, contestant=contestant, status=ScoreSheet.Status.SUBMITTED)
                .order_by("pk")
                .first()
            )
            if sheet is None:
                raise ActionRefused(_("Only a submitted sheet can be corrected."))
            criteria = list(locked.criteria.all())
            cleaned = _clean(criteria, points, sheet.comment, list(sheet.problems), True)
            scores = list(sheet.scores.select_related("criterion"))
            old = snapshot(sheet, {s.criterion.code: s.points for s in scores})
            by_code = {c.code: c for c in criteria}
            _write_scores(sheet, {by_code[code]: value for code, value in cleaned.items()}, scores)
            sheet.version += 1
            sheet.save(update_fields=["version", "updated_at"])
            new = snapshot(sheet, cleaned) | {"correction": reason.strip()}
            SheetRevision.objects.create(
                sheet=sheet, by=by, version=sheet.version, old=old, new=new
            )
        document = results.build_document(locked)
        document["competition"]["digest"] = results.digest(document)
        last = locked.publications.only("version").order_by("-version").first()
        return Publication.objects.create(
            competition=locked,
            version=(last.version if last else 0) + 1,
            document=document,
            digest=document["competition"]["digest"],
            reason=reason.strip(),
            by=by,
        )


@transaction.atomic
def create_district_competition(
    *, district, year: int, quarter: int, scheme: Scheme, optional_codes: list[str], by: User
) -> Competition:
    """The district-level competition of a period, with the contestants the period's published
    street competitions recommend (excellent, top K by rank per street), each linked to their
    street result."""
    from scoring import rankings

    if Competition.objects.filter(
        level=Competition.Level.DISTRICT, district=district, year=year, quarter=quarter
    ).exists():
        raise ActionRefused(_("The district-level competition of this period exists already."))
    picks = rankings.recommended(district_id=district.pk, year=year, quarter=quarter)
    if not picks:
        raise ActionRefused(_("No published street competition of this period recommends anyone."))
    competition = Competition.objects.create(
        level=Competition.Level.DISTRICT, district=district, year=year, quarter=quarter
    )
    _choose(competition, scheme, optional_codes)
    district_policy(district).copy_for(competition).save()
    sources = {
        (c.competition_id, c.village.code): c
        for c in Contestant.objects.select_related("village").filter(
            competition_id__in={competition_id for competition_id, _row in picks}
        )
    }
    Contestant.objects.bulk_create(
        Contestant(
            competition=competition,
            secretary_id=source.secretary_id,
            village_id=source.village_id,
            recommended_from=source,
        )
        for source in (sources[(cid, row["village_code"])] for cid, row in picks)
    )
    event.log(competition, Event.Kind.CREATED, by, _("%(n)s recommended") % {"n": len(picks)})
    return competition


# ---- Democratic evaluation: anonymous one-time ballots and paper tallies ----

BALLOT_OPEN = (Competition.Status.DRAFT, Competition.Status.SCORING)


def _ballot_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_code(raw: str) -> str:
    """A typed code as issued: capitals, no separators; look-alikes read as base32 letters."""
    code = "".join(ch for ch in raw.upper() if ch.isalnum())
    return code.translate(str.maketrans({"0": "O", "1": "I", "8": "B"}))


def new_code() -> str:
    """128 random bits in base32: 26 letters and digits, easy to read aloud and to type."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def issue_ballot_tokens(
    *, competition: Competition, per_contestant: int, by: User
) -> list[tuple[Contestant, str]]:
    """`per_contestant` new tokens for every present contestant; returns them, once."""
    locked = event.lock(competition)
    if locked.status not in BALLOT_OPEN:
        raise ActionRefused(_("Ballots can only be issued before scoring closes."))
    if not 1 <= per_contestant <= 200:
        raise ActionRefused(_("Issue between 1 and 200 ballots per contestant."))
    issued = []
    for contestant in (
        locked.contestants.filter(absent=False)
        .select_related("secretary", "village")
        .order_by("order", "village__code")
    ):
        for _n in range(per_contestant):
            code = new_code()
            issued.append((contestant, code))
    BallotToken.objects.bulk_create(
        BallotToken(contestant=contestant, token_hash=_ballot_hash(code))
        for contestant, code in issued
    )
    event.log(locked, Event.Kind.BALLOTS, by, _("%(n)s ballot tokens issued") % {"n": len(issued)})
    return issued


@transaction.atomic
def revoke_ballot_tokens(*, contestant: Contestant, by: User) -> int:
    """Withdraw a contestant's unused tokens: their voting ends, so their ballots are sealed."""
    locked = event.lock(contestant.competition)
    count = BallotToken.objects.filter(contestant=contestant, used=False, revoked=False).update(
        revoked=True
    )
    seal_ballots(competition=locked, contestant_ids=[contestant.pk])
    event.log(
        locked,
        Event.Kind.BALLOTS,
        by,
        _("%(n)s unused ballot tokens of %(who)s revoked") % {"n": count, "who": contestant},
    )
    return count


def seal_ballots(*, competition: Competition, contestant_ids: list[int] | None = None) -> int:
    """Rewrite the ballots and used tokens of these contestants (default: all of the
    competition's) so that the database's own bookkeeping ties no ballot to its token.

    Casting marks a token used and stores its ballot in one transaction: on PostgreSQL both
    rows carry that transaction's id (xmin), and the rows' physical order (ctid; SQLite's
    rowid) follows the order of casting. Deleted and inserted again in one transaction, in a
    random order, they all carry one xmin and an order that says nothing. The rows keep their
    values (a token its hash, flags and contestant; a ballot its random key, choice and day);
    nothing refers to either table. Returns how many ballots were sealed.

    The competition is locked, and every cast holds it (cast_ballot): no cast for it is in
    progress, so none can commit a row of its own after the seal has read them.
    """
    with transaction.atomic():
        locked = event.lock(competition)
        contestants = locked.contestants.all()
        if contestant_ids is not None:
            contestants = contestants.filter(pk__in=contestant_ids)
        ballots = Ballot.objects.filter(contestant__in=contestants)
        tokens = BallotToken.objects.filter(contestant__in=contestants, used=True)
        kept_ballots, kept_tokens = list(ballots), list(tokens)
        shuffle = random.SystemRandom().shuffle
        shuffle(kept_ballots)
        shuffle(kept_tokens)
        deleted = (ballots.delete()[0], tokens.delete()[0])
        if deleted != (len(kept_ballots), len(kept_tokens)):  # cannot happen under the lock
            raise RuntimeError("ballots changed while they were sealed")
        Ballot.objects.bulk_create(kept_ballots)
        BallotToken.objects.bulk_create(kept_tokens)
        # After the commit, not before: VACUUM cannot run inside a transaction.
        transaction.on_commit(_vacuum_ballots, robust=True)
    return len(kept_ballots)


def _vacuum_ballots() -> None:
    """Let PostgreSQL drop the rows' old versions, which still carry the casting's xmin.

    A maintenance statement the ORM does not express, sent through its connection. Plain
    VACUUM takes no lock that stops casting elsewhere; docs/deploy.md says what remains.
    SQLite needs none: its deleted rows are overwritten (secure_delete, config/settings.py).
    """
    connection = connections[router.db_for_write(Ballot)]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # an outer transaction still open (a test's): nothing to vacuum yet
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table) for model in (Ballot, BallotToken)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {tables}")


class BallotRefused(Exception):
    """Why a token cannot be used: "unknown", "used", "revoked", "closed" or "off"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def ballot_for(code: str) -> BallotToken:
    """The token a code belongs to, if it can still cast a ballot; else BallotRefused."""
    token = (
        BallotToken.objects.select_related(
            "contestant__competition__policy", "contestant__secretary", "contestant__village"
        )
        .filter(token_hash=_ballot_hash(normalise_code(code)))
        .first()
    )
    _check_token(token)
    return token


def _check_token(token: BallotToken | None) -> None:
    if token is None:
        raise BallotRefused("unknown")
    if token.revoked:
        raise BallotRefused("revoked")
    if token.used:
        raise BallotRefused("used")
    competition = token.contestant.competition
    if competition.status not in BALLOT_OPEN:
        raise BallotRefused("closed")
    from scoring import results

    if not results.policy_of(competition).democratic_enabled:
        raise BallotRefused("off")


def cast_ballot(*, code: str, choice: str) -> Ballot:
    """Use a token once: one ballot for its contestant, keeping no link to the token.

    The token row is locked, so of two casts at once exactly one lands; the other is refused
    as "used". The used flag and the ballot are written together: their counts always agree.
    """
    if choice not in Ballot.Choice.values:
        raise BallotRefused("choice")
    token_hash = _ballot_hash(normalise_code(code))
    with transaction.atomic():
        contestant_id = (
            BallotToken.objects.filter(token_hash=token_hash)
            .values_list("contestant_id", flat=True)
            .first()
        )
        if contestant_id is None:
            raise BallotRefused("unknown")
        # Lock the contestant, as a sheet save locks its seat: closing the competition (which
        # seals its ballots) locks every contestant, so it waits for the casts in progress, and
        # a cast that comes after it sees it closed.
        queries.lock_contestant(contestant_id)
        token = (
            BallotToken.objects.select_for_update()
            .filter(token_hash=token_hash)
            .order_by("pk")
            .first()
        )
        _check_token(token)
        token.used = True
        token.save(update_fields=["used"])
        return Ballot.objects.create(
            contestant_id=token.contestant_id, choice=choice, cast_on=timezone.localdate()
        )


MAX_TALLY = 100_000  # far more than any village meeting; keeps every count storable


TALLY_PROBLEMS = {
    "range": gettext_lazy("Enter a whole number from 0 to %(max)s."),
    "present_over_due": gettext_lazy("More present than due."),
    "choices_over_returned": gettext_lazy(
        "The choices add up to %(n)s, more than the %(returned)s ballots returned."
    ),
    "issued_over_present": gettext_lazy("More ballots handed out than representatives present."),
}


def check_tally(values: dict[str, int]) -> dict[str, str]:
    """What is wrong with a paper tally, field by field (domain.tally_problems), in the
    reader's language; empty when it can be stored."""
    problems = domain.tally_problems(values, fields=TALLY_FIELDS, maximum=MAX_TALLY)
    return {name: str(TALLY_PROBLEMS[code]) % figures for name, (code, figures) in problems.items()}


# Tallies are typed after the meeting, often after scoring closed; publication ends it.
TALLY_OPEN = (Competition.Status.DRAFT, Competition.Status.SCORING, Competition.Status.CLOSED)


class TallyOutcome(StrEnum):
    """What an entry did to a contestant's tally."""

    FIRST = "first"  # the first entry (or its author's own correction): one more is needed
    RESTARTED = "restarted"  # it replaced a confirmed tally, which no longer counts
    CONFIRMED = "confirmed"  # it agreed with another person's entry: the tally counts
    DIFFERS = "differs"  # it agrees with no other person's entry: nothing counts


def _write_counts(row: PaperTally | DifferingTally, values: dict[str, int]) -> None:
    for name in TALLY_FIELDS:
        setattr(row, name, values[name])


@transaction.atomic
def enter_tally(
    *, contestant: Contestant, values: dict[str, int], by: User
) -> tuple[PaperTally, TallyOutcome]:
    """Type a contestant's paper tally; it counts once two people's entries agree.

    Double entry is blind: the second person types the counts without seeing the first entry.
    Equal counts by another person confirm the tally. Different counts are kept beside the
    first, and nothing counts until an entry agrees with one of the two, typed by someone other
    than that entry's author. An entry agreeing with neither replaces its author's own (or, from
    a third person, the later one). One person typing twice never confirms. An entry on a
    confirmed tally starts it over. Allowed until the results are published.
    """
    locked = event.lock(contestant.competition)
    if locked.status not in TALLY_OPEN:
        raise ActionRefused(
            _("The results are published: paper tallies can no longer be entered or changed.")
        )
    errors = check_tally(values)
    if errors:
        raise SheetInvalid(errors)
    values = {name: values[name] for name in TALLY_FIELDS}
    # Lock the tally: two staff members may type the same contestant's counts at once.
    tally = PaperTally.objects.select_for_update().filter(contestant=contestant).first()
    other = (
        DifferingTally.objects.select_for_update().filter(tally=tally).first() if tally else None
    )
    if tally is None:
        tally = PaperTally(contestant=contestant, entered_by=by, **values)
        tally.save()
        outcome = TallyOutcome.FIRST
    elif tally.confirmed_by_id is not None:
        _write_counts(tally, values)
        tally.entered_by, tally.confirmed_by, tally.confirmed_at = by, None, None
        tally.save()
        outcome = TallyOutcome.RESTARTED
    elif by.pk != tally.entered_by_id and values == tally.values:
        outcome = TallyOutcome.CONFIRMED
    elif other is not None and by.pk != other.entered_by_id and values == other.values:
        # The later entry was right: it becomes the tally, confirmed by this one.
        _write_counts(tally, values)
        tally.entered_by_id, tally.entered_at = other.entered_by_id, other.entered_at
        outcome = TallyOutcome.CONFIRMED
    elif by.pk == tally.entered_by_id:
        _write_counts(tally, values)
        tally.save()
        outcome = TallyOutcome.DIFFERS if other is not None else TallyOutcome.FIRST
    else:
        other = other or DifferingTally(tally=tally)
        _write_counts(other, values)
        other.entered_by = by
        other.save()
        outcome = TallyOutcome.DIFFERS
    if outcome == TallyOutcome.CONFIRMED:
        tally.confirmed_by, tally.confirmed_at = by, timezone.now()
        # Not `save()`: it would set `entered_at`, which is when the agreeing entry was typed.
        PaperTally.objects.filter(pk=tally.pk).update(
            **tally.values,
            entered_by_id=tally.entered_by_id,
            entered_at=tally.entered_at,
            confirmed_by=by,
            confirmed_at=tally.confirmed_at,
        )
        DifferingTally.objects.filter(tally=tally).delete()
    # The log says who typed, never the counts: the setup page shows it to the next typist.
    event.log(locked, Event.Kind.TALLY, by, TALLY_NOTES[outcome] % {"who": contestant})
    return tally, outcome


TALLY_NOTES = {
    TallyOutcome.FIRST: gettext_lazy("paper tally of %(who)s entered, waiting for a second entry"),
    TallyOutcome.RESTARTED: gettext_lazy(
        "paper tally of %(who)s entered again: the confirmed tally no longer counts"
    ),
    TallyOutcome.CONFIRMED: gettext_lazy(
        "paper tally of %(who)s confirmed by a second, equal entry"
    ),
    TallyOutcome.DIFFERS: gettext_lazy("paper tally of %(who)s: the entries differ"),
}


@transaction.atomic
def set_democratic(*, competition: Competition, enabled: bool, by: User) -> None:
    locked = event.lock(competition)
    if locked.status not in BALLOT_OPEN:
        raise ActionRefused(_("Democratic evaluation is switched before scoring closes."))
    GradingPolicy.objects.filter(competition=locked).update(democratic_enabled=enabled)
    event.log(
        locked,
        Event.Kind.DEMOCRATIC,
        by,
        _("democratic evaluation on") if enabled else _("democratic evaluation off"),
    )
