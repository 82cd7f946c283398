"""The feedback sheets (反馈单): one printable page per contestant after publication, and all
of a competition's at once for staff to print."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from competition import permissions
from competition.models import Competition
from scoring.feedback import queries
from scoring.results.document import GRADE_LABELS
from scoring.results.queries import competition_for_results
from scoring.results.views import AGGREGATIONS


def _get_competition(pk: int) -> Competition:
    """The competition, with the id of its latest publication (None before publication)."""
    competition = competition_for_results(pk)
    if competition is None:
        raise Http404
    return competition


def _not_yet(request: HttpRequest, competition: Competition) -> HttpResponse:
    return render(
        request, "scoring/feedback_not_yet.html", {"competition": competition}, status=404
    )


def _sheets(request: HttpRequest, competition: Competition, contestants, *, every: bool):
    found = queries.feedback(competition, contestants)
    if not found.sheets and not every:
        raise Http404(_("This contestant has no published result."))
    return render(
        request,
        "scoring/feedback.html",
        {
            "competition": competition,
            "feedback": found,
            "policy": found.document["policy"],
            "aggregation": AGGREGATIONS.get(found.document["policy"].get("aggregation"), ""),
            "every": every,
            "grades": GRADE_LABELS,
            "may_print_all": permissions.can_follow(request, competition),
        },
    )


@login_required
def feedback_sheet(request: HttpRequest, pk: int, contestant_id: int) -> HttpResponse:
    competition = _get_competition(pk)
    contestant = queries.contestant_of(competition, contestant_id)
    if contestant is None or not permissions.can_read_feedback(
        request, competition, contestant.village
    ):
        raise Http404(_("No such feedback sheet of yours."))
    if not permissions.feedback_ready(competition) or competition.latest_publication is None:
        return _not_yet(request, competition)
    return _sheets(request, competition, [contestant], every=False)


@login_required
def feedback_all(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_competition(pk)
    if not permissions.can_follow(request, competition):
        raise Http404(_("No such feedback sheets of yours."))
    if not permissions.feedback_ready(competition) or competition.latest_publication is None:
        return _not_yet(request, competition)
    return _sheets(request, competition, queries.contestants_of(competition), every=True)
