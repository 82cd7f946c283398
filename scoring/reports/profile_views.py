"""Profiles: a secretary's record and a village's history, and the search that finds them, for
district and street staff."""

import math

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from competition.permissions import is_staff_session
from scoring.reports import profiles
from scoring.results.document import GRADE_LABELS
from scoring.results.queries import district_policy_of
from villages import permissions as org
from villages.models import Secretary, Village
from villages.search import search as find

MAX_QUERY = 100

FLAGS = {
    "incompetent_two_years": gettext_lazy("Incompetent two years running"),
    "fell_two_grades": gettext_lazy("Fell two grades from one quarter to the next"),
}


def _require_staff(request: HttpRequest) -> None:
    if not is_staff_session(request):
        raise Http404(_("These pages are for street and district staff."))


def _trend(points: list, width: int = 320, height: int = 80, floor: float = 50) -> dict:
    """The finals across quarters as SVG coordinates, drawn on the server: x evenly spaced
    with a margin, y from `floor` (bottom) to 100 (top), lower finals clamped to the floor.
    With many quarters only every so many is labelled, counting back from the latest, so that
    no two labels (or finals) overlap; the table beside the chart lists them all."""
    if len(points) < 2:
        return {}
    margin = 36  # half a quarter's label ("2026年第1季度"), which is centred on its mark
    step = (width - 2 * margin) / (len(points) - 1)
    every = math.ceil(48 / step)  # a label is at most about 48 units wide, a final 28
    marks = []
    for i, (label, final) in enumerate(points):
        share = (max(float(final), floor) - floor) / (100 - floor)
        labelled = (len(points) - 1 - i) % every == 0
        marks.append(
            {
                "x": f"{margin + i * step:.1f}",
                "y": f"{height - 12 - share * (height - 24):.1f}",
                "label": label if labelled else "",
                "final": final if labelled or step >= 30 else None,
            }
        )
    return {"points": " ".join(f"{m['x']},{m['y']}" for m in marks), "marks": marks}


@login_required
def secretary_profile(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    secretary = get_object_or_404(Secretary, pk=pk)
    tenures = list(profiles.secretary_tenures(secretary))
    if not any(org.can_view_village(request.user, t.village) for t in tenures):
        raise Http404(_("No such secretary of yours."))
    district_id = tenures[0].village.street.district_id
    policy = district_policy_of(district_id)
    record = profiles.secretary_record(secretary, policy.to_domain())
    return render(
        request,
        "scoring/secretary_profile.html",
        {
            "secretary": secretary,
            "tenures": tenures,
            "record": record,
            "flags": [FLAGS[f] for f in record.flags],
            "grades": GRADE_LABELS,
            "trend": _trend(record.trend),
            "problems": profiles.problems_of([t.village for t in tenures]),
        },
    )


@login_required
def village_profile(request: HttpRequest, code: str) -> HttpResponse:
    _require_staff(request)
    village = get_object_or_404(Village.objects.select_related("street__district"), code=code)
    if not org.can_view_village(request.user, village):
        raise Http404(_("No such village of yours."))
    return render(
        request,
        "scoring/village_profile.html",
        {
            "village": village,
            "tenures": profiles.village_tenures(village),
            "problems": profiles.problems_of([village]),
        },
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Secretaries and villages of the user's street, district or everything, by name or code."""
    _require_staff(request)
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    return render(request, "scoring/search.html", {"q": q, "results": find(request.user, q)})
