"""Writes to the event: contestants, speaking order, panel, sign-in cards, lifecycle, problems.

Each function is atomic, locks the competition row it changes, and logs an Event in the same
transaction. A refused action raises ActionRefused with a message for the user and changes nothing.
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.models import (
    Competition,
    Contestant,
    Event,
    Judge,
    ObservationPoint,
    Problem,
    SignInCard,
    half_bounds,
    half_label,
)
from villages.models import Membership, Tenure, Village

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


def log(competition: Competition, kind: str, by: User | None, note: str = "") -> Event:
    return Event.objects.create(competition=competition, kind=kind, by=by, note=note)


def _require(competition: Competition, *statuses: str) -> None:
    if competition.status not in statuses:
        raise ActionRefused(
            _("Not possible now: the competition is %(status)s.")
            % {"status": competition.get_status_display()}
        )


@transaction.atomic
def transition(
    *, competition: Competition, action: str, by: User, reason: str = "", note: str = ""
) -> None:
    """Move a competition along draft → scoring → closed → published; reopening needs a reason.

    Opening, closing and publishing are checked by scoring's services (open_scoring,
    close_scoring, publish_competition), which call this; `note` is what they log.
    """
    source, target, kind = TRANSITIONS[action]
    locked = lock(competition)
    _require(locked, source)
    if action == "reopen" and not reason.strip():
        raise ActionRefused(_("Give the reason for reopening."))
    locked.status = target
    locked.save(update_fields=["status"])
    log(locked, kind, by, note or reason.strip())
    if action == "close":
        # A card ends at the first close: one left on a table must not sign anyone in after a
        # reopen. Staff print new cards for the judges who still need one.
        SignInCard.objects.filter(
            judge__competition=locked, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
    competition.status = target


@transaction.atomic
def add_current_secretaries(*, competition: Competition, by: User) -> int:
    """Add the current secretary of every active village of the street; returns how many."""
    locked = lock(competition)
    _require(locked, Status.DRAFT)
    if locked.street_id is None:
        raise ActionRefused(_("A district-level competition takes the streets' recommendations."))
    present = set(locked.contestants.values_list("village_id", flat=True))
    tenures = Tenure.objects.filter(
        end__isnull=True, village__street_id=locked.street_id, village__active=True
    ).exclude(village_id__in=present)
    added = Contestant.objects.bulk_create(
        Contestant(competition=locked, secretary_id=t.secretary_id, village_id=t.village_id)
        for t in tenures
    )
    if added:
        log(locked, Event.Kind.CONTESTANTS, by, _("%(n)s added") % {"n": len(added)})
    return len(added)


@transaction.atomic
def remove_contestant(*, contestant: Contestant, by: User) -> None:
    locked = lock(contestant.competition)
    _require(locked, Status.DRAFT)
    Contestant.objects.filter(pk=contestant.pk).delete()  # and its observation point
    if locked.is_review:
        _renumber_points(locked)
    log(locked, Event.Kind.CONTESTANTS, by, _("removed: %(who)s") % {"who": contestant})


@transaction.atomic
def set_absent(*, contestant: Contestant, absent: bool, by: User) -> None:
    """Mark a contestant absent (or present again) until publication: a secretary who did not
    come is left out of the results rather than published without a sheet."""
    locked = lock(contestant.competition)
    _require(locked, Status.DRAFT, Status.SCORING, Status.CLOSED)
    if (
        absent
        and locked.status == Status.CLOSED
        and contestant.sheets.filter(status="submitted").exists()
    ):
        # After the close, absence is for a secretary who never came: one tap must not take a
        # scored contestant out of the results.
        raise ActionRefused(
            _(
                "%(who)s has submitted score sheets, so they cannot be marked absent after the "
                "close. If they really did not compete, reopen scoring first."
            )
            % {"who": contestant}
        )
    Contestant.objects.filter(pk=contestant.pk).update(absent=absent)
    note = _("absent: %(who)s") if absent else _("present again: %(who)s")
    log(locked, Event.Kind.CONTESTANTS, by, note % {"who": contestant})


def _write_order(competition: Competition, order: dict[int, int]) -> None:
    # Clear first: the database checks each row's order is unique as it is written.
    competition.contestants.update(order=None)
    for contestant_id, position in order.items():
        Contestant.objects.filter(pk=contestant_id).update(order=position)


@transaction.atomic
def draw_order(*, competition: Competition, by: User) -> list[int]:
    """Draw the speaking order by lot among present contestants; only while in draft."""
    locked = lock(competition)
    _require(locked, Status.DRAFT)
    _refuse_review_order(locked)
    ids = list(locked.contestants.filter(absent=False).values_list("pk", flat=True))
    if not ids:
        raise ActionRefused(_("There are no contestants to draw."))
    secrets.SystemRandom().shuffle(ids)
    _write_order(locked, {pk: n for n, pk in enumerate(ids, start=1)})
    names = {
        c.pk: f"{c.village.name} {c.secretary.name}"
        for c in locked.contestants.select_related("village", "secretary")
    }
    log(
        locked,
        Event.Kind.ORDER_DRAWN,
        by,
        "; ".join(f"{n}. {names[pk]}" for n, pk in enumerate(ids, start=1)),
    )
    return ids


@transaction.atomic
def set_order(*, competition: Competition, order: dict[int, int], by: User) -> None:
    """Set the speaking order by hand: positions 1…n, each used once, for present contestants."""
    locked = lock(competition)
    _require(locked, Status.DRAFT)
    _refuse_review_order(locked)
    present = set(locked.contestants.filter(absent=False).values_list("pk", flat=True))
    if set(order) != present:
        raise ActionRefused(_("Give every present contestant a position."))
    if sorted(order.values()) != list(range(1, len(present) + 1)):
        raise ActionRefused(
            _("Positions must be 1 to %(n)s, each used once.") % {"n": len(present)}
        )
    _write_order(locked, order)
    log(locked, Event.Kind.ORDER_SET, by)


def _refuse_review_order(competition: Competition) -> None:
    if competition.is_review:
        raise ActionRefused(
            _("In a half-year review the speaking order is the observation points' visiting order.")
        )


# ---- A half-year review's observation points ----


def _require_review_draft(competition: Competition) -> None:
    if not competition.is_review:
        raise ActionRefused(_("Only a half-year review has observation points."))
    if competition.status != Status.DRAFT:
        raise ActionRefused(_("Observation points are chosen while the review is in draft."))


def _write_points_order(competition: Competition, order: dict[int, int]) -> None:
    """Give points (by id) their places in the visiting order, and their contestants the same
    speaking order: the panel scores the villages as it visits them."""
    # Move every place out of the way first: the database checks each row's place is unique
    # as it is written.
    points = competition.observation_points.all()
    points.update(order=F("order") + 10000)
    contestants = dict(points.values_list("pk", "contestant_id"))
    for point_id, position in order.items():
        ObservationPoint.objects.filter(pk=point_id).update(order=position)
    _write_order(competition, {contestants[pk]: position for pk, position in order.items()})


def _renumber_points(competition: Competition) -> None:
    """Close the gap a removed point leaves: 1…n in the order there was."""
    ids = competition.observation_points.order_by("order").values_list("pk", flat=True)
    _write_points_order(competition, {pk: n for n, pk in enumerate(ids, start=1)})


@transaction.atomic
def add_observation_point(
    *, competition: Competition, village: Village, visit_on: dt.date, note: str = "", by: User
) -> ObservationPoint:
    """Add a village of the district to a review's observation points, last in the visiting
    order, on a day within the review's half; its current secretary becomes a contestant of the
    review, speaking in the visiting order. Only in draft."""
    locked = lock(competition)
    _require_review_draft(locked)
    village = Village.objects.select_related("street").get(pk=village.pk)
    if village.street.district_id != locked.district_id:
        raise ActionRefused(
            _("%(village)s is not a village of this district.") % {"village": village}
        )
    if not village.active:
        raise ActionRefused(_("Inactive villages take no part in competitions."))
    start, end = half_bounds(locked.year, locked.half)
    if not start <= visit_on <= end:
        raise ActionRefused(
            _("The visit date must fall within %(half)s: %(start)s to %(end)s.")
            % {"half": half_label(locked.half, locked.year), "start": start, "end": end}
        )
    if locked.observation_points.filter(village=village).exists():
        raise ActionRefused(
            _("%(village)s is already an observation point.") % {"village": village}
        )
    tenure = Tenure.objects.filter(village=village, end__isnull=True).first()
    if tenure is None:
        raise ActionRefused(_("%(village)s has no secretary now.") % {"village": village})
    if locked.contestants.filter(secretary_id=tenure.secretary_id).exists():
        raise ActionRefused(
            _("%(village)s's secretary is already a contestant of this review.")
            % {"village": village}
        )
    last = locked.observation_points.order_by("-order").values_list("order", flat=True).first()
    position = (last or 0) + 1
    contestant = Contestant.objects.create(
        competition=locked, secretary_id=tenure.secretary_id, village=village, order=position
    )
    point = ObservationPoint.objects.create(
        competition=locked,
        contestant=contestant,
        village=village,
        order=position,
        visit_on=visit_on,
        note=note.strip(),
    )
    log(locked, Event.Kind.POINTS, by, _("added: %(point)s") % {"point": point})
    return point


@transaction.atomic
def remove_observation_point(*, point: ObservationPoint, by: User) -> None:
    """Take a village off a review's observation points, and its secretary off the contestants;
    the points after it move up. Only in draft."""
    locked = lock(point.competition)
    _require_review_draft(locked)
    Contestant.objects.filter(pk=point.contestant_id).delete()  # and the point
    _renumber_points(locked)
    log(locked, Event.Kind.POINTS, by, _("removed: %(point)s") % {"point": point})


@transaction.atomic
def set_visiting_order(*, competition: Competition, order: dict[int, int], by: User) -> None:
    """Set the visiting order of a review's observation points by hand: positions 1…n, each used
    once; the speaking order follows. Only in draft."""
    locked = lock(competition)
    _require_review_draft(locked)
    points = set(locked.observation_points.values_list("pk", flat=True))
    if set(order) != points:
        raise ActionRefused(_("Give every observation point a position."))
    if sorted(order.values()) != list(range(1, len(points) + 1)):
        raise ActionRefused(_("Positions must be 1 to %(n)s, each used once.") % {"n": len(points)})
    _write_points_order(locked, order)
    log(locked, Event.Kind.POINTS, by, _("visiting order set"))


@transaction.atomic
def add_judge(
    *, competition: Competition, user: User, role: str, by: User, reason: str = ""
) -> Judge:
    """Put a user on the panel: in draft, or during scoring with a reason (a late replacement)."""
    locked = lock(competition)
    _require(locked, Status.DRAFT, Status.SCORING)
    reason = reason.strip()
    if locked.status == Status.SCORING and not reason:
        raise ActionRefused(_("Give the reason for changing the panel during scoring."))
    if Judge.objects.filter(competition=locked, user=user).exists():
        raise ActionRefused(_("%(name)s is already on the panel.") % {"name": user})
    judge = Judge.objects.create(competition=locked, user=user, role=role)
    note = _("added: %(name)s") % {"name": judge.display_name}
    log(locked, Event.Kind.PANEL, by, f"{note} · {reason}" if reason else note)
    return judge


# Why a change of status is refused when the judge is in that status already.
ALREADY = {
    Judge.Status.ACTIVE: gettext_lazy("%(name)s is already on the panel."),
    Judge.Status.ABSENT: gettext_lazy("%(name)s is already marked absent."),
    Judge.Status.WITHDRAWN: gettext_lazy("%(name)s is already withdrawn from the panel."),
}


def _set_status(*, judge: Judge, status: str, reason: str, by: User, kind: str) -> Judge:
    """Change a judge's status during scoring, with the reason, logged.

    Locking the competition waits for the sheet saves in progress (they hold it shared); a save
    after this one reads the judge's new status and is refused. Leaving the panel revokes the
    judge's unused sign-in cards. Their sheets stay as they are: only active judges' count.
    """
    locked = lock(judge.competition)
    _require(locked, Status.SCORING)
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Give the reason for changing the panel during scoring."))
    seat = Judge.objects.select_for_update().select_related("user").get(pk=judge.pk)
    if seat.status == status:
        raise ActionRefused(ALREADY[status] % {"name": seat.display_name})
    now = timezone.now()
    seat.status, seat.status_changed_at, seat.status_reason = status, now, reason
    seat.save(update_fields=["status", "status_changed_at", "status_reason"])
    if status != Judge.Status.ACTIVE:
        SignInCard.objects.filter(judge=seat, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
    log(locked, kind, by, f"{seat.display_name} · {reason}")
    judge.status, judge.status_changed_at, judge.status_reason = status, now, reason
    return seat


@transaction.atomic
def withdraw_judge(*, judge: Judge, reason: str, by: User) -> Judge:
    """Take a judge off the panel during scoring: they score no more, their sheets no longer
    count (they stay in the database and the history)."""
    return _set_status(
        judge=judge,
        status=Judge.Status.WITHDRAWN,
        reason=reason,
        by=by,
        kind=Event.Kind.JUDGE_WITHDRAWN,
    )


@transaction.atomic
def mark_judge_absent(*, judge: Judge, reason: str, by: User) -> Judge:
    """A judge who did not come: they score no more, and no sheet is expected from them."""
    return _set_status(
        judge=judge, status=Judge.Status.ABSENT, reason=reason, by=by, kind=Event.Kind.JUDGE_ABSENT
    )


@transaction.atomic
def reinstate_judge(*, judge: Judge, reason: str, by: User) -> Judge:
    """Undo a withdrawal or an absence during scoring: the judge scores again and their
    submitted sheets count again. Their old cards stay revoked; print them a new one."""
    return _set_status(
        judge=judge,
        status=Judge.Status.ACTIVE,
        reason=reason,
        by=by,
        kind=Event.Kind.JUDGE_REINSTATED,
    )


@transaction.atomic
def remove_judge(*, judge: Judge, by: User) -> None:
    locked = lock(judge.competition)
    _require(locked, Status.DRAFT)
    judge.delete()
    log(locked, Event.Kind.PANEL, by, _("removed: %(name)s") % {"name": judge.display_name})


@transaction.atomic
def set_recusals(*, judge: Judge, contestants: Iterable[Contestant], by: User) -> None:
    locked = lock(judge.competition)
    _require(locked, Status.DRAFT, Status.SCORING)
    contestants = list(contestants)
    if any(c.competition_id != locked.pk for c in contestants):
        raise ActionRefused(_("A recusal must name a contestant of this competition."))
    if judge.sheets.filter(contestant__in=contestants).exists():
        raise ActionRefused(_("The judge has already scored one of these contestants."))
    judge.recusals.set(contestants)
    log(
        locked,
        Event.Kind.PANEL,
        by,
        _("recusals of %(name)s: %(who)s")
        % {"name": judge.display_name, "who": ", ".join(str(c) for c in contestants) or "—"},
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_cards(*, competition: Competition, by: User) -> list[tuple[Judge, str]]:
    """A new sign-in card for every judge; unused older cards stop working.

    Returns (judge, token) pairs: the tokens exist only in this return value and on paper.
    """
    locked = lock(competition)
    _require(locked, Status.DRAFT, Status.SCORING)
    # Withdrawn and absent judges get none: they no longer score.
    judges = list(locked.judges.active().select_related("user").order_by("pk"))
    now = timezone.now()
    SignInCard.objects.filter(
        judge__competition=locked, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    issued = []
    for judge in judges:
        token = secrets.token_urlsafe(32)  # 256 bits
        SignInCard.objects.create(judge=judge, token_hash=_hash(token))
        issued.append((judge, token))
    log(locked, Event.Kind.CARD, by, _("%(n)s cards issued") % {"n": len(issued)})
    return issued


class CardRefused(Exception):
    """Why a sign-in card cannot be used: "unknown", "used", "revoked", "ended" (revoked when
    scoring closed) or "closed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_card(token: str) -> SignInCard:
    """The card a token belongs to, if it can still sign someone in; else CardRefused."""
    card = (
        SignInCard.objects.select_related("judge__competition", "judge__user")
        .filter(token_hash=_hash(token))
        .first()
    )
    if card is None:
        raise CardRefused("unknown")
    if card.used_at:
        raise CardRefused("used")
    if card.revoked_at:
        closed_since = card.judge.competition.events.filter(
            kind=Event.Kind.CLOSED, at__gte=card.created_at, at__lte=card.revoked_at
        )
        raise CardRefused("ended" if closed_since.exists() else "revoked")
    if card.judge.competition.status not in (Status.DRAFT, Status.SCORING):
        raise CardRefused("closed")
    if not card.judge.is_active:  # withdrawn or absent: off the panel
        raise CardRefused("revoked")
    return card


def find_card(token: str) -> SignInCard | None:
    """The card a token belongs to, if it can still sign someone in."""
    try:
        return check_card(token)
    except CardRefused:
        return None


@transaction.atomic
def redeem_card(*, token: str) -> Judge | None:
    """Use a card once: its judge, or None for an unknown, used, revoked or expired card."""
    card = find_card(token)
    if card is None:
        return None
    # Lock the card: two taps on the same card must sign in once.
    locked = SignInCard.objects.select_for_update().get(pk=card.pk)
    if locked.used_at is not None or locked.revoked_at is not None:
        return None
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    return card.judge


@transaction.atomic
def update_problem(
    *,
    problem: Problem,
    status: str,
    owner: str,
    due: dt.date | None,
    resolution: str,
    by: User,
) -> Problem:
    if status == Problem.Status.RESOLVED and not resolution.strip():
        raise ActionRefused(_("Describe how the problem was resolved."))
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    if status != locked.status:
        locked.resolved_at = timezone.now() if status == Problem.Status.RESOLVED else None
    locked.status, locked.owner, locked.due, locked.resolution = status, owner, due, resolution
    locked.save()
    return locked


@transaction.atomic
def bulk_set_status(*, problems: list[Problem], status: str, by: User) -> int:
    """Set one status on several problems; resolving refuses any without a resolution note."""
    if status == Problem.Status.RESOLVED and any(not p.resolution.strip() for p in problems):
        raise ActionRefused(
            _("Problems are resolved one by one with their resolution; some have none yet.")
        )
    chosen = Problem.objects.filter(pk__in=[p.pk for p in problems])
    # A problem resolved already keeps the time it was resolved.
    resolved_at = timezone.now() if status == Problem.Status.RESOLVED else None
    chosen.exclude(status=status).update(resolved_at=resolved_at)
    return chosen.update(status=status)


@transaction.atomic
def add_judge_account(
    *, competition: Competition, user: User | None, name: str, role: str, by: User, reason: str
) -> Judge:
    """Put an account on the panel, or a new account made from a name; a refusal leaves no
    account. A new account is logged in the admin's log (LogEntry) as added by `by`."""
    if user is None:
        user = User(username=f"judge-{secrets.token_hex(4)}", first_name=name)
        user.set_unusable_password()
        user.save()
        Membership.objects.create(
            user=user,
            role=Membership.Role.JUDGE,
            district=competition.district,
            street=competition.street,
        )
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=ADDITION,
            change_message=_("Added as a judge of %(competition)s.") % {"competition": competition},
            single_object=True,
        )
    return add_judge(competition=competition, user=user, role=role, by=by, reason=reason)
