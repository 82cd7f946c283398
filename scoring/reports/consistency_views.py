"""The judge consistency report of one competition, from the one results document."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from competition import permissions
from competition.models import Judge
from scoring.reports.consistency import OUTLIER_POINTS, OUTLIER_SDS, consistency
from scoring.results import document
from scoring.results.views import _get_competition_for_results


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """For the staff who run the competition and its district's staff; never for the panel,
    not even after publication."""
    competition = _get_competition_for_results(request, pk)
    if permissions.card_scope(request) is not None or not permissions.can_view(
        request.user, competition
    ):
        raise Http404
    summary = consistency(document.document_for(competition))
    roles = dict(Judge.Role.choices)
    return render(
        request,
        "scoring/consistency.html",
        {
            "competition": competition,
            "report": summary,
            "rows": [(stat, roles.get(stat.role, stat.role)) for stat in summary.judges],
            "outlier_sds": OUTLIER_SDS,
            "outlier_points": OUTLIER_POINTS,
        },
    )
