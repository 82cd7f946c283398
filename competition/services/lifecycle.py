"""The competition's lifecycle (draft → scoring → closed → published), the lock every write
to an event takes, and its log.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.models import (
    Competition,
    Contestant,
    Event,
    Judge,
    SignInCard,
)

Status = Competition.Status

# Which status each transition leaves from, and where it goes.
TRANSITIONS = {
    "open": (Status.DRAFT, Status.SCORING, Event.Kind.OPENED),
    "close": (Status.SCORING, Status.CLOSED, Event.Kind.CLOSED),
    "reopen": (Status.CLOSED, Status.SCORING, Event.Kind.REOPENED),
    "publish": (Status.CLOSED, Status.PUBLISHED, Event.Kind.PUBLISHED),
}


class ActionRefused(Exception):
    """The action is not allowed now; str() is the message for the user."""


def lock(competition: Competition) -> Competition:
    """The competition's row, locked until the transaction ends, with its judges' seats and its
    contestants; its status is fresh.

    A sheet save locks its judge's seat and a ballot its contestant
    (scoring.sheets.queries.lock_seat, scoring.ballots.queries.lock_contestant_of), then reads the
    competition: a change made here waits for the saves and casts in progress, and one that
    comes after it waits too and then sees the change. Saves of
    different judges, and ballots for different contestants, go on side by side. SQLite has no
    row locks: its write transactions run one at a time anyway.
    """
    locked = Competition.objects.select_for_update(no_key=True).get(pk=competition.pk)
    for rows in (Judge.objects, Contestant.objects):
        list(rows.select_for_update(no_key=True).filter(competition=locked).values_list("pk"))
    return locked


def log(
    competition: Competition, kind: str, by: User | None, *parts: dict, note: str = ""
) -> Event:
    """Log what happened: its parts (`competition.notes.part`), put into words when read, and
    what was typed (a reason) or brought from the roster, as it is."""
    return Event.objects.create(
        competition=competition, kind=kind, by=by, detail=list(parts), note=note
    )


def require(competition: Competition, *statuses: str) -> None:
    if competition.status not in statuses:
        raise ActionRefused(
            _("Not possible now: the competition is %(status)s.")
            % {"status": competition.get_status_display()}
        )


@transaction.atomic
def transition(
    *, competition: Competition, action: str, by: User, reason: str = "", parts: tuple = ()
) -> None:
    """Move a competition along draft → scoring → closed → published; reopening needs a reason.

    Opening, closing and publishing are checked by scoring's services (open_scoring,
    close_scoring, publish_competition), which call this; `parts` and `reason` are what they
    log (`log`).
    """
    source, target, kind = TRANSITIONS[action]
    locked = lock(competition)
    require(locked, source)
    if action == "reopen" and not reason.strip():
        raise ActionRefused(_("Give the reason for reopening."))
    locked.status = target
    locked.save(update_fields=["status"])
    log(locked, kind, by, *parts, note=reason.strip())
    if action == "close":
        # A card ends at the first close: one left on a table must not sign anyone in after a
        # reopen. Staff print new cards for the judges who still need one.
        SignInCard.objects.filter(
            judge__competition=locked, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
    competition.status = target
