"""The panel: judges added (an account of their own or one made from a name), their status
during scoring, their recusals.
"""

import secrets
from collections.abc import Iterable

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.models import (
    Competition,
    Contestant,
    Event,
    Judge,
    SignInCard,
)
from competition.notes import part
from competition.services.lifecycle import ActionRefused, Status, lock, log, require
from villages.models import Membership


@transaction.atomic
def add_judge(
    *, competition: Competition, user: User, role: str, by: User, reason: str = ""
) -> Judge:
    """Put a user on the panel: in draft, or during scoring with a reason (a late replacement)."""
    locked = lock(competition)
    require(locked, Status.DRAFT, Status.SCORING)
    reason = reason.strip()
    if locked.status == Status.SCORING and not reason:
        raise ActionRefused(_("Give the reason for changing the panel during scoring."))
    if Judge.objects.filter(competition=locked, user=user).exists():
        raise ActionRefused(_("%(name)s is already on the panel.") % {"name": user})
    judge = Judge.objects.create(competition=locked, user=user, role=role)
    log(locked, Event.Kind.PANEL, by, part("judge_added", name=judge.display_name), note=reason)
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
    require(locked, Status.SCORING)
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
    log(locked, kind, by, note=f"{seat.display_name} · {reason}")
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
    require(locked, Status.DRAFT)
    judge.delete()
    log(locked, Event.Kind.PANEL, by, part("judge_removed", name=judge.display_name))


@transaction.atomic
def set_recusals(*, judge: Judge, contestants: Iterable[Contestant], by: User) -> None:
    locked = lock(judge.competition)
    require(locked, Status.DRAFT, Status.SCORING)
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
        part("recusals", name=judge.display_name, who=[str(c) for c in contestants]),
    )


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
