"""Reads of the event: the problems raised at competitions."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from competition.models import Competition, Problem
from villages.models import Street


def problems_in(streets: QuerySet[Street]) -> QuerySet[Problem]:
    """The problems raised in `streets`, with where they were raised and by how many judges."""
    return (
        Problem.objects.filter(village__street__in=streets)
        .select_related("competition__street", "village__street", "contestant__secretary")
        .annotate(raised=Count("raisers"))
    )


def filter_problems(
    problems: QuerySet[Problem],
    *,
    today: dt.date,
    status: str = "",
    street: Street | None = None,
    competition: Competition | None = None,
    owner: str = "",
    overdue: bool = False,
    q: str = "",
) -> QuerySet[Problem]:
    """The problems that match every filter given; an empty filter matches all."""
    if status:
        problems = problems.filter(status=status)
    if street:
        problems = problems.filter(village__street=street)
    if competition:
        problems = problems.filter(competition=competition)
    if owner:
        problems = problems.filter(owner__icontains=owner)
    if overdue:
        problems = problems.filter(due__lt=today).exclude(status="resolved")
    if q:
        problems = problems.filter(text__icontains=q)
    return problems


def closure_by_street(streets: QuerySet[Street]) -> list[dict]:
    """Per street: problems raised, resolved, and the share resolved. One query."""
    rows = (
        Problem.objects.filter(village__street__in=streets)
        .values("village__street__name")
        .annotate(raised=Count("id"), resolved=Count("id", filter=Q(status="resolved")))
        .order_by("village__street__name")
    )
    return [
        {
            "street": r["village__street__name"],
            "raised": r["raised"],
            "resolved": r["resolved"],
            "rate": round(100 * r["resolved"] / r["raised"]) if r["raised"] else 0,
        }
        for r in rows
    ]
