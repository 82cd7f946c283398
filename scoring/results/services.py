"""Closing the scoring, publishing the results, overriding a grade and amending a publication."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from competition import notes
from competition import services as competition_services
from competition.models import (
    Competition,
    Contestant,
    Judge,
)
from competition.services import ActionRefused
from scoring.ballots.services import seal_ballots
from scoring.models import (
    GradeOverride,
    Publication,
    ScoreSheet,
    SheetRevision,
)
from scoring.results import queries
from scoring.results.chain import public_document, seal
from scoring.results.document import build_document, summary_of
from scoring.sheets.services import rewrite_points


def close_scoring(*, competition: Competition, by: User, reason: str = "") -> None:
    """Scoring → closed. When anything is missing (sheets not in, drafts, contestants below the
    trimmed mean's minimum, unconfirmed tallies, confirmed tallies that do not count, unused
    ballot codes), closing needs a written reason; the event log records what was missing and
    why the competition closed anyway.
    The check runs on the locked competition, so it sees every sheet saved before the close.
    Judges' sheets and ballots stop, and the ballots are sealed (`seal_ballots`)."""
    with transaction.atomic():
        locked = competition_services.lock(competition)
        report = queries.completeness(locked, queries.policy_of(locked))
        parts, why = (), ""
        if not report.complete:
            if not reason.strip():
                raise ActionRefused(
                    _("Not everything is in (%(gaps)s): give the reason for closing anyway.")
                    % {"gaps": notes.gaps_text(report.totals)}
                )
            parts, why = (notes.part("gaps", **report.totals),), reason
        competition_services.transition(
            competition=locked, action="close", by=by, reason=why, parts=parts
        )
        seal_ballots(competition=locked)
        competition.status = locked.status


def publish_refusal(competition: Competition) -> str:
    """Why the competition cannot be published as it stands, and what to do; "" when it can.
    A contestant with no counting sheet stops it: score them, or mark them absent."""
    rows = queries.completeness(competition, queries.policy_of(competition)).without_sheet
    if not rows:
        return ""
    return _(
        "No counting sheet for %(names)s: reopen scoring for their sheets, or mark them absent, "
        "before publishing."
    ) % {
        "names": _(", ").join(
            _("%(name)s (%(village)s)")
            % {"name": row.contestant.secretary.name, "village": row.contestant.village.name}
            for row in rows
        )
    }


def publish_competition(*, competition: Competition, by: User) -> Publication:
    """Closed → published: the results document is frozen with its SHA-256 digest. A contestant
    with no counting sheet cannot be published: score them, or mark them absent."""
    with transaction.atomic():
        competition_services.transition(competition=competition, action="publish", by=by)
        refusal = publish_refusal(competition)
        if refusal:
            raise ActionRefused(refusal)
        return publish_version(competition=competition, by=by)


def publish_version(*, competition: Competition, by: User, reason: str = "") -> Publication:
    """A new version of the competition's results document, on the locked competition: built
    now, linked to the version before (scoring.results.chain), with its digest and its public
    document's digest."""
    document = build_document(competition)
    last = (
        competition.publications.only("version", "digest", "public_digest")
        .order_by("-version")
        .first()
    )
    digest = seal(document, last.digest if last else None)
    summary = summary_of(document)
    public = public_document(summary, digest, last.public_digest if last else None)
    return Publication.objects.create(
        competition=competition,
        version=(last.version if last else 0) + 1,
        document=document,
        summary=summary,
        digest=digest,
        previous_digest=last.digest if last else "",
        public_digest=public["competition"]["digest"],
        reason=reason,
        by=by,
    )


def override_grade(*, contestant: Contestant, grade: str, reason: str, by: User):
    """Set a grade by hand, with a written reason, before publication (after it: `amend`)."""
    if not reason.strip():
        raise ActionRefused(_("A grade set by hand needs a written reason."))
    with transaction.atomic():
        competition = competition_services.lock(contestant.competition)
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
    if not reason.strip():
        raise ActionRefused(_("A correction needs a written reason."))
    with transaction.atomic():
        locked = competition_services.lock(competition)
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
            old, new = rewrite_points(sheet, list(locked.criteria.all()), points)
            new |= {"correction": reason.strip()}
            SheetRevision.objects.create(
                sheet=sheet, by=by, version=sheet.version, old=old, new=new
            )
        return publish_version(competition=locked, by=by, reason=reason.strip())
