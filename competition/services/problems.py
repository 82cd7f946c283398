"""Problems raised on site, followed up: status, owner, due date and resolution."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.models import (
    Problem,
)
from competition.services.lifecycle import ActionRefused


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
