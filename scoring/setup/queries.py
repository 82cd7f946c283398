"""Reads of street staff's setup pages: the competitions, a competition's setup and paper
sheets, the candidates for its panel, a sheet's history."""

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from competition.models import Competition, Contestant, Judge, ObservationPoint
from scoring.models import ScoreSheet
from scoring.results.queries import criterion_labels
from scoring.sheets import queries
from villages.models import District, Membership, Street, Village

# The competitions a district holds itself: the district-level one and the half-year review.
DISTRICT_LEVELS = (Competition.Level.DISTRICT, Competition.Level.REVIEW)


def competition(pk: int) -> Competition:
    return get_object_or_404(Competition.objects.select_related("street", "district"), pk=pk)


def competitions_of(streets: list[Street], districts: list[District]) -> QuerySet[Competition]:
    """The street competitions of `streets` and the district-level competitions and half-year
    reviews of `districts`."""
    return Competition.objects.filter(
        Q(street__in=streets) | Q(district__in=districts, level__in=DISTRICT_LEVELS)
    ).select_related("street", "district")


def panel_candidates(competition: Competition) -> QuerySet[User]:
    """Active accounts of the competition's district who may sit on its panel and do not yet."""
    return (
        User.objects.filter(is_active=True, membership__district=competition.district_id)
        .filter(
            Q(membership__street=competition.street_id)
            | Q(membership__role=Membership.Role.DISTRICT_STAFF)
            | Q(membership__street__isnull=True)
        )
        .exclude(panels__competition=competition)
        .order_by("first_name", "username")
    )


def setup(competition: Competition) -> dict:
    """What the setup page shows: criteria, contestants, the panel, the latest events."""
    criteria = list(competition.criteria.select_related("source"))
    return {
        "criteria": criteria,
        "maximum": queries.competition_maximum(criteria),
        "optional": [c.code for c in criteria if not c.required],
        # The scheme the criteria were copied from, which the form to change them starts on.
        "scheme": next((c.source.scheme_id for c in criteria if c.source_id), None),
        "contestants": queries.contestants_in_order(competition),
        "judges": competition.judges.select_related("user").prefetch_related("recusals"),
        "candidates": panel_candidates(competition),
        "events": competition.events.select_related("by").order_by("-at", "-id")[:50],
    }


def paper_sheets(competition: Competition) -> dict:
    """What the printed sheets show: criteria, the panel, the contestants present."""
    criteria = list(competition.criteria.all())
    return {
        "criteria": criteria,
        "maximum": queries.competition_maximum(criteria),
        "judges": competition.judges.select_related("user"),
        "contestants": queries.contestants_in_order(competition).filter(absent=False),
    }


def judge(competition: Competition, judge_id: int) -> Judge:
    return get_object_or_404(
        Judge.objects.select_related("user"), pk=judge_id, competition=competition
    )


def contestant(competition: Competition, contestant_id: int) -> Contestant:
    return get_object_or_404(
        Contestant.objects.select_related("secretary", "village"),
        pk=contestant_id,
        competition=competition,
    )


def contestants_among(competition: Competition, ids: list[int]) -> list[Contestant] | None:
    """The competition's contestants of `ids`; None when one of them is not its."""
    contestants = list(competition.contestants.filter(pk__in=ids))
    return contestants if len(contestants) == len(set(ids)) else None


def sheet_history(competition: Competition, sheet_id: int) -> tuple[ScoreSheet, list, dict]:
    """A sheet of the competition, its revisions newest first, and its criteria's names."""
    sheet = get_object_or_404(
        ScoreSheet.objects.select_related(
            "judge__user", "contestant__secretary", "contestant__village"
        ),
        pk=sheet_id,
        judge__competition=competition,
    )
    revisions = sheet.revisions.select_related("by").order_by("-at", "-id")
    labels = criterion_labels([competition.pk]).get(competition.pk, {})
    return sheet, revisions, labels


def observation_points(competition: Competition) -> QuerySet[ObservationPoint]:
    """A review's observation points in visiting order, with their villages and secretaries."""
    return competition.observation_points.select_related(
        "village__street", "contestant__secretary"
    ).order_by("order")


def observation_point(competition: Competition, point_id: int) -> ObservationPoint:
    return get_object_or_404(
        ObservationPoint.objects.select_related("village"), pk=point_id, competition=competition
    )


def point_candidates(competition: Competition) -> QuerySet[Village]:
    """The villages a review may still visit: its district's active villages that have a
    secretary now and are not yet observation points, by street and code."""
    return (
        Village.objects.filter(
            street__district_id=competition.district_id, active=True, tenures__end__isnull=True
        )
        .exclude(observation_points__competition=competition)
        .select_related("street")
        .order_by("street__name", "code")
        .distinct()
    )
