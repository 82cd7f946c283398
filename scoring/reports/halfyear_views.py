"""The half-year report, and the half-year review district staff create from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition.models import half_label, half_of
from competition.permissions import card_scope
from competition.services import ActionRefused
from scoring.models import Scheme
from scoring.reports import halfyear, rankings, spreadsheets
from scoring.reports.scope import XLSX, district_for
from scoring.setup.services import create_review
from villages import permissions as org
from villages.models import District, Street


def _get_scope_for_user(request: HttpRequest) -> tuple[District, Street | None]:
    """Whose half year: a street's staff see their street, district staff their district."""
    street = org.staff_street_of(request.user) if card_scope(request) is None else None
    if street is not None:
        return street.district, street
    return district_for(request), None


def _half(request: HttpRequest, district: District) -> tuple[int, int]:
    """The half asked for; by default — and for one that cannot be (half=3, year=abc) — the
    half of the latest published quarter, else this half."""
    try:
        year, half = int(request.GET["year"]), int(request.GET["half"])
    except (KeyError, ValueError):
        year, half = 0, 0
    if 2000 <= year <= 2100 and half in (1, 2):
        return year, half
    latest = rankings.latest_published_period(district.pk)
    if latest is not None:
        return latest[0], half_of(latest[1])
    today = timezone.localdate()
    return today.year, half_of((today.month - 1) // 3 + 1)


@login_required
def half_year_report(request: HttpRequest) -> HttpResponse:
    district, street = _get_scope_for_user(request)
    year, half = _half(request, district)
    report = halfyear.half_year_report(
        district_id=district.pk, year=year, half=half, street=street and street.name
    )
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            spreadsheets.to_xlsx(halfyear.half_year_tables(report)), content_type=XLSX
        )
        heading = _("%(name)s half-year report") % {"name": (street or district).name}
        return spreadsheets.attachment(response, f"{heading} {half_label(half, year)}", "xlsx")
    return render(
        request,
        "scoring/half_year_report.html",
        {
            "district": district,
            "street": street,
            "report": report,
            "period": half_label(half, year),
            "review": halfyear.review_of(district_id=district.pk, year=year, half=half),
            "may_create_review": street is None and org.can_manage_district(request.user, district),
        },
    )


@login_required
@require_POST
def review_new(request: HttpRequest) -> HttpResponse:
    """District staff create the half-year review of a half, then choose its points."""
    district = district_for(request)
    if not org.can_manage_district(request.user, district):
        raise Http404
    try:
        year, half = int(request.POST["year"]), int(request.POST["half"])
        competition = create_review(
            district=district,
            year=year,
            half=half,
            scheme=Scheme.objects.order_by("pk").first(),
            optional_codes=[],
            by=request.user,
        )
    except (KeyError, ValueError):
        messages.error(request, _("Choose a year and a half."))
        return redirect("scoring:half_year")
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('scoring:half_year')}?year={year}&half={half}")
    messages.success(request, _("Half-year review created. Now choose its observation points."))
    return redirect("scoring:points", competition.pk)
