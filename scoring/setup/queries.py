"""Reads of street staff's setup pages: the competitions, a competition's setup and paper
sheets, the candidates for its panel, a sheet's history."""

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from competition.models import Competition, Contestant, Judge
from scoring.models import ScoreSheet
from scoring.results.queries import criterion_labels
from scoring.sheets import queries
from villages.models import District, Membership, Street


def competition(pk: int) -> Competition:
    return get_object_or_404(Competition.objects.select_related("street", "district"), pk=pk)


def competitions_of(streets: list[Street], districts: list[District]) -> QuerySet[Competition]:
    """The street competitions of `streets` and the district competitions of `districts`."""
    return Competition.objects.filter(
        Q(street__in=streets) | Q(district__in=districts, level=Competition.Level.DISTRICT)
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
    criteria = list(competition.criteria.all())
    return {
        "criteria": criteria,
        "maximum": queries.competition_maximum(criteria),
        "optional": [c.code for c in criteria if not c.required],
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
