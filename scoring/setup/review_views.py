"""District staff's pages of a half-year review: its observation points, in visiting order."""

from itertools import accumulate

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition import permissions
from competition import services as competition_services
from competition.models import half_bounds
from competition.services import ActionRefused
from scoring.forms import ObservationPointForm
from scoring.setup import queries as setup_queries
from scoring.setup.views import act, get_competition_for_staff, read_positions


def _get_review_for_user(request: HttpRequest, pk: int, *, manage: bool = True):
    """A half-year review the user may see (or, with `manage`, change); 404 for anything else,
    a street competition included: only a review has observation points."""
    competition = get_competition_for_staff(request, pk, manage=manage)
    if not competition.is_review:
        raise Http404(_("Only a half-year review has observation points."))
    return competition


def _visited_too_early(points: list) -> list:
    """The points visited on an earlier day than a point before them: the visiting order and
    the dates disagree. A warning, not a refusal: the order is the staff's to set."""
    latest = accumulate((p.visit_on for p in points), max)
    return [
        point for before, point in zip(latest, points[1:], strict=False) if point.visit_on < before
    ]


@login_required
def observation_points(request: HttpRequest, pk: int) -> HttpResponse:
    """The review's observation points in visiting order; district staff add one (POST)."""
    competition = _get_review_for_user(request, pk, manage=request.method == "POST")
    villages = setup_queries.point_candidates(competition)
    form = ObservationPointForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            competition_services.add_observation_point(
                competition=competition, by=request.user, **form.cleaned_data
            )
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Observation point added."))
            return redirect("scoring:points", pk)
    start, end = half_bounds(competition.year, competition.half)
    form.fields["visit_on"].widget.attrs.update(min=start.isoformat(), max=end.isoformat())
    points = list(setup_queries.observation_points(competition))
    return render(
        request,
        "scoring/observation_points.html",
        {
            "competition": competition,
            "points": points,
            "visited_too_early": _visited_too_early(points),
            "may_manage": permissions.can_manage(request.user, competition),
            "form": form,
        },
    )


@login_required
@require_POST
def observation_point_remove(request: HttpRequest, pk: int, point_id: int) -> HttpResponse:
    competition = _get_review_for_user(request, pk)
    point = setup_queries.observation_point(competition, point_id)
    return act(
        request,
        competition,
        lambda: competition_services.remove_observation_point(point=point, by=request.user),
        _("Observation point removed."),
        to="scoring:points",
    )


@login_required
@require_POST
def visiting_order(request: HttpRequest, pk: int) -> HttpResponse:
    competition = _get_review_for_user(request, pk)
    order = read_positions(request)
    if order is None:
        messages.error(request, _("Positions must be whole numbers."))
        return redirect("scoring:points", pk)
    return act(
        request,
        competition,
        lambda: competition_services.set_visiting_order(
            competition=competition, order=order, by=request.user
        ),
        _("Visiting order saved."),
        to="scoring:points",
    )
