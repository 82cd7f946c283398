"""Who competes and in what order: the street's secretaries, absence, the speaking order drawn
or set, and a half-year review's observation points, visited in their own order.
"""

import datetime as dt
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from competition.models import (
    Competition,
    Contestant,
    Event,
    ObservationPoint,
    half_bounds,
    half_label,
)
from competition.notes import part
from competition.services.lifecycle import ActionRefused, Status, lock, log, require
from villages.models import Tenure, Village


@transaction.atomic
def add_current_secretaries(*, competition: Competition, by: User) -> int:
    """Add the current secretary of every active village of the street; returns how many."""
    locked = lock(competition)
    require(locked, Status.DRAFT)
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
        log(locked, Event.Kind.CONTESTANTS, by, part("contestants_added", n=len(added)))
    return len(added)


@transaction.atomic
def remove_contestant(*, contestant: Contestant, by: User) -> None:
    locked = lock(contestant.competition)
    require(locked, Status.DRAFT)
    Contestant.objects.filter(pk=contestant.pk).delete()  # and its observation point
    if locked.is_review:
        _renumber_points(locked)
    log(locked, Event.Kind.CONTESTANTS, by, part("contestant_removed", who=str(contestant)))


@transaction.atomic
def set_absent(*, contestant: Contestant, absent: bool, by: User) -> None:
    """Mark a contestant absent (or present again) until publication: a secretary who did not
    come is left out of the results rather than published without a sheet."""
    locked = lock(contestant.competition)
    require(locked, Status.DRAFT, Status.SCORING, Status.CLOSED)
    if (
        absent
        and locked.status == Status.CLOSED
        and contestant.sheets.filter(
            status="submitted", judge__in=locked.judges.counting()
        ).exists()
    ):
        # After the close, absence is for a secretary who never came: one tap must not take a
        # scored contestant out of the results. An observer's sheet, or a withdrawn judge's,
        # counts for nothing, and so does not stand in the way.
        raise ActionRefused(
            _(
                "%(who)s has submitted score sheets, so they cannot be marked absent after the "
                "close. If they really did not compete, reopen scoring first."
            )
            % {"who": contestant}
        )
    Contestant.objects.filter(pk=contestant.pk).update(absent=absent)
    log(
        locked,
        Event.Kind.CONTESTANTS,
        by,
        part("absent" if absent else "present", who=str(contestant)),
    )


def _write_order(competition: Competition, order: dict[int, int]) -> None:
    # Clear first: the database checks each row's order is unique as it is written.
    competition.contestants.update(order=None)
    for contestant_id, position in order.items():
        Contestant.objects.filter(pk=contestant_id).update(order=position)


@transaction.atomic
def draw_order(*, competition: Competition, by: User) -> list[int]:
    """Draw the speaking order by lot among present contestants; only while in draft."""
    locked = lock(competition)
    require(locked, Status.DRAFT)
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
        note="; ".join(f"{n}. {names[pk]}" for n, pk in enumerate(ids, start=1)),
    )
    return ids


@transaction.atomic
def set_order(*, competition: Competition, order: dict[int, int], by: User) -> None:
    """Set the speaking order by hand: positions 1…n, each used once, for present contestants."""
    locked = lock(competition)
    require(locked, Status.DRAFT)
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
    log(locked, Event.Kind.POINTS, by, part("point_added", point=str(point)))
    return point


@transaction.atomic
def remove_observation_point(*, point: ObservationPoint, by: User) -> None:
    """Take a village off a review's observation points, and its secretary off the contestants;
    the points after it move up. Only in draft."""
    locked = lock(point.competition)
    _require_review_draft(locked)
    Contestant.objects.filter(pk=point.contestant_id).delete()  # and the point
    _renumber_points(locked)
    log(locked, Event.Kind.POINTS, by, part("point_removed", point=str(point)))


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
    log(locked, Event.Kind.POINTS, by, part("visiting_order"))
