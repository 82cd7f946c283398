"""Writes to the numbers: competitions' criteria, opening for scoring, and every sheet save.

`save_sheet` is the one path by which points reach the database — from a judge's phone, its
offline outbox, or staff typing in a paper sheet — and it writes the audit record.
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition import services as event
from competition.models import Competition, Contestant, Event, Judge, Problem
from competition.services import ActionRefused
from scoring import domain, queries
from scoring.models import (
    Ballot,
    BallotToken,
    CompetitionCriterion,
    Criterion,
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
    event.log(competition, Event.Kind.CREATED, by, scheme.name)
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
    event.log(
        locked,
        Event.Kind.CREATED,
        by,
        _("criteria: %(codes)s") % {"codes": ", ".join(optional_codes) or "—"},
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
    """What the server holds after a save: `applied` is False for a repeat or a stale version."""

    sheet: ScoreSheet
    applied: bool
    stale: bool

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
    """Each line of the sheet's problems is a Problem; lines taken out before anyone acted on
    them disappear, lines staff have taken up stay."""
    lines = list(sheet.problems)
    existing = {p.text: p for p in Problem.objects.filter(contestant=contestant, raised_by=judge)}
    for text, problem in existing.items():
        if text not in lines and problem.status == Problem.Status.OPEN and not problem.owner:
            problem.delete()
    Problem.objects.bulk_create(
        Problem(
            competition_id=contestant.competition_id,
            contestant=contestant,
            village_id=contestant.village_id,
            raised_by=judge,
            text=text,
        )
        for text in dict.fromkeys(lines)
        if text not in existing
    )


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
        # Share-lock the competition: saves run side by side, a close waits for the saves in
        # progress, and a save after the close sees the new status and is refused whole.
        competition = event.hold(contestant.competition_id)
        if competition.status != Competition.Status.SCORING:
            raise ActionRefused(
                _("Scores are not accepted: the competition is %(status)s.")
                % {"status": competition.get_status_display()}
            )
        if judge.competition_id != competition.pk or contestant.competition_id != competition.pk:
            raise ActionRefused(_("This judge does not sit on this contestant's competition."))
        if not judge.is_active:  # as the page read it; checked again under the seat's lock
            raise ActionRefused(str(INACTIVE[judge.status]))
        # Fresh from the database: staff may have marked the contestant absent meanwhile.
        absent, recused = queries.absent_or_recused(contestant, judge)
        if absent:
            raise ActionRefused(_("%(who)s is absent and is not scored.") % {"who": contestant})
        if recused:
            raise ActionRefused(_("This judge is recused from %(who)s.") % {"who": contestant})
        criteria = queries.scoring_criteria(competition)
        cleaned = _clean(criteria, points, comment, problems, submit)

        # Lock the judge's seat, then the sheet row: a judge's phone may resend the same
        # version, or race itself, even before the sheet exists. Other judges go on meanwhile.
        seat_status = queries.lock_seat(judge)
        if seat_status != Judge.Status.ACTIVE:
            # Withdrawn or marked absent meanwhile: staff changed the panel holding the lock.
            raise ActionRefused(str(INACTIVE.get(seat_status, INACTIVE[Judge.Status.WITHDRAWN])))
        sheet = queries.locked_sheet(contestant, judge)
        if sheet is not None and version <= sheet.version:
            return SaveResult(sheet=sheet, applied=False, stale=version < sheet.version)
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
    return SaveResult(sheet=sheet, applied=True, stale=False)


def publish_competition(*, competition: Competition, by: User) -> Publication:
    """Closed → published: the results document is frozen with its SHA-256 digest."""
    from scoring import results

    with transaction.atomic():
        event.transition(competition=competition, action="publish", by=by)
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
    event.log(locked, Event.Kind.CARD, by, _("%(n)s ballot tokens issued") % {"n": len(issued)})
    return issued


@transaction.atomic
def revoke_ballot_tokens(*, contestant: Contestant, by: User) -> int:
    locked = event.lock(contestant.competition)
    count = BallotToken.objects.filter(contestant=contestant, used=False, revoked=False).update(
        revoked=True
    )
    event.log(
        locked,
        Event.Kind.CARD,
        by,
        _("%(n)s unused ballot tokens of %(who)s revoked") % {"n": count, "who": contestant},
    )
    return count


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
    policy = GradingPolicy.objects.filter(competition=competition).first()
    if policy is not None and not policy.democratic_enabled:
        raise BallotRefused("off")


def cast_ballot(*, code: str, choice: str) -> Ballot:
    """Use a token once: one ballot for its contestant, keeping no link to the token.

    The token row is locked, so of two casts at once exactly one lands; the other is refused
    as "used". The used flag and the ballot are written together: their counts always agree.
    """
    if choice not in Ballot.Choice.values:
        raise BallotRefused("choice")
    with transaction.atomic():
        token = (
            BallotToken.objects.select_for_update()
            .filter(token_hash=_ballot_hash(normalise_code(code)))
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

TALLY_FIELDS = (
    "representatives_due",
    "representatives_present",
    "ballots_issued",
    "ballots_returned",
    "excellent",
    "competent",
    "basic",
    "incompetent",
)


def check_tally(values: dict[str, int]) -> dict[str, str]:
    """What is wrong with a paper tally, field by field; empty when it can be stored."""
    errors = {}
    for name in TALLY_FIELDS:
        if not isinstance(values.get(name), int) or not 0 <= values[name] <= MAX_TALLY:
            errors[name] = _("Enter a whole number from 0 to %(max)s.") % {"max": MAX_TALLY}
    if errors:
        return errors
    if values["representatives_present"] > values["representatives_due"]:
        errors["representatives_present"] = _("More present than due.")
    counted = sum(values[c] for c in ("excellent", "competent", "basic", "incompetent"))
    if counted > values["ballots_returned"]:
        errors["excellent"] = _(
            "The choices add up to %(n)s, more than the %(returned)s ballots returned."
        ) % {"n": counted, "returned": values["ballots_returned"]}
    if values["ballots_issued"] > values["representatives_present"]:
        errors["ballots_issued"] = _("More ballots handed out than representatives present.")
    return errors


@transaction.atomic
def enter_tally(*, contestant: Contestant, values: dict[str, int], by: User) -> PaperTally:
    """Store (or replace) a contestant's paper tally; it waits for another's confirmation."""
    locked = event.lock(contestant.competition)
    if locked.status not in BALLOT_OPEN:
        raise ActionRefused(_("Tallies are entered before scoring closes."))
    errors = check_tally(values)
    if errors:
        raise SheetInvalid(errors)
    tally, _created = PaperTally.objects.update_or_create(
        contestant=contestant,
        defaults={**values, "entered_by": by, "confirmed_by": None, "confirmed_at": None},
    )
    return tally


@transaction.atomic
def confirm_tally(*, contestant: Contestant, by: User, seen: dict[str, int]) -> PaperTally:
    """A second staff member confirms the tally exactly as entered (double entry)."""
    event.lock(contestant.competition)
    tally = PaperTally.objects.select_for_update().filter(contestant=contestant).first()
    if tally is None:
        raise ActionRefused(_("There is no tally to confirm."))
    if tally.entered_by_id == by.pk:
        raise ActionRefused(_("The tally must be confirmed by someone other than who entered it."))
    if any(getattr(tally, name) != seen.get(name) for name in TALLY_FIELDS):
        raise ActionRefused(_("The tally changed since you read it. Check it again."))
    tally.confirmed_by, tally.confirmed_at = by, timezone.now()
    tally.save(update_fields=["confirmed_by", "confirmed_at"])
    return tally


@transaction.atomic
def set_democratic(*, competition: Competition, enabled: bool, by: User) -> None:
    locked = event.lock(competition)
    if locked.status not in BALLOT_OPEN:
        raise ActionRefused(_("Democratic evaluation is switched before scoring closes."))
    GradingPolicy.objects.filter(competition=locked).update(democratic_enabled=enabled)
    event.log(
        locked,
        Event.Kind.CREATED,
        by,
        _("democratic evaluation on") if enabled else _("democratic evaluation off"),
    )
