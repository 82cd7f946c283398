"""District staff's pages: quarterly rankings, the annual "double hook" report, advancement."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from competition.models import quarter_label
from competition.permissions import card_scope
from competition.services import ActionRefused
from scoring.models import Scheme
from scoring.reports import rankings, spreadsheets
from scoring.reports.scope import CSV, DOWNLOADS, XLSX, district_for, period_for
from scoring.results import published
from scoring.results.document import GRADE_LABELS
from scoring.setup.services import create_district_competition
from villages import permissions as org
from villages.models import District


def _download(fmt: str, table: spreadsheets.Table, name: str) -> HttpResponse:
    """A table as the Excel or CSV file the reader asked for, in their language."""
    if fmt == "csv":
        response = HttpResponse(spreadsheets.to_csv(table), content_type=CSV)
    else:
        response = HttpResponse(spreadsheets.to_xlsx([table]), content_type=XLSX)
    return spreadsheets.attachment(response, name, fmt)


def _every_district(request: HttpRequest) -> bool:
    """An administrator may rank the contestants of every district together."""
    return (
        org.can_choose_district(request.user)
        and card_scope(request) is None
        and request.GET.get("district") == "all"
    )


def _rankings_table(district, year: int, quarter: int, street, grade, digests: list) -> dict:
    """The drawn rankings table, the number of competitions in it and the streets to filter by,
    kept under the digests of the documents it is made of; with `result`, the rankings, when
    the table was drawn now (None when it was kept)."""
    drawn = {}

    def draw() -> dict:
        result = drawn["result"] = rankings.district_rankings(
            district_id=district and district.pk,
            year=year,
            quarter=quarter,
            street=street,
            grade=grade,
        )
        context = {"district": district, "result": result, "grades": GRADE_LABELS}
        table = render_to_string("scoring/_rankings_table.html", context)
        return {"table": table, "competitions": result.competitions, "streets": result.streets}

    filters = (district and district.pk, year, quarter, street, grade)
    return published.kept("rankings", [*digests, filters], draw) | {"result": drawn.get("result")}


def _rankings_shown(request: HttpRequest) -> tuple:
    """Whose rankings of which period, filtered how, as the request asks."""
    district = None if _every_district(request) else district_for(request)
    year, quarter = period_for(request, district)
    street = (request.GET.get("street") or None) if district else None
    grade = request.GET.get("grade") if request.GET.get("grade") in GRADE_LABELS else None
    return district, year, quarter, street, grade


def _districts_to_choose(request: HttpRequest) -> list | None:
    if not org.can_choose_district(request.user):
        return None
    return list(District.objects.order_by("name").values_list("pk", "name"))


@login_required
@cache_control(private=True, no_cache=True)
def district_rankings(request: HttpRequest) -> HttpResponse:
    """The rankings change only with the publications of their period and the one before, the
    district's name and the districts an administrator may choose: a reload of an unchanged
    page, or of its file, is a 304."""
    shown = _rankings_shown(request)
    district, year, quarter, _street, _grade = shown
    digests = rankings.digests_shown(district and district.pk, year, quarter)
    districts = _districts_to_choose(request)
    etag = published.etag(request, digests, district and district.name, districts)
    return published.conditional(
        request, etag, lambda: _rankings_response(request, shown, digests, districts)
    )


def _rankings_response(request: HttpRequest, shown: tuple, digests: list, districts):
    district, year, quarter, street, grade = shown
    fmt = request.GET.get("format")
    if fmt in DOWNLOADS:
        result = rankings.district_rankings(
            district_id=district and district.pk,
            year=year,
            quarter=quarter,
            street=street,
            grade=grade,
        )
        table = rankings.rankings_table(result, year=year, quarter=quarter)
        heading = (
            _("%(name)s rankings") % {"name": district.name}
            if district
            else _("Rankings of every district")
        )
        return _download(fmt, table, f"{heading} {quarter_label(quarter, year)}")
    kept = _rankings_table(district, year, quarter, street, grade, digests)
    return render(
        request,
        "scoring/district_rankings.html",
        {
            "district": district,
            "districts": districts,
            "year": year,
            "quarter": quarter,
            "street": street,
            "grade": grade,
            "table": kept["table"],
            "competitions": kept["competitions"],
            "result": kept["result"],  # None when the table was kept
            "grades": GRADE_LABELS,
            "streets": kept["streets"] if district else [],
            "quarters": range(1, 5),
        },
    )


@login_required
def annual_report(request: HttpRequest) -> HttpResponse:
    district = district_for(request)
    year, _quarter = period_for(request, district)
    rows = rankings.annual_report(district_id=district.pk, year=year)
    fmt = request.GET.get("format")
    if fmt in DOWNLOADS:
        heading = _("%(name)s annual assessment and treatment (“double hook”)") % {
            "name": district.name
        }
        return _download(fmt, rankings.annual_table(rows, year=year), f"{heading} {year}")
    return render(
        request,
        "scoring/annual_report.html",
        {
            "district": district,
            "year": year,
            "rows": rows,
            "grades": GRADE_LABELS,
            "quarters": range(1, 5),
        },
    )


@login_required
@require_POST
def advance(request: HttpRequest) -> HttpResponse:
    district = district_for(request)
    if not org.can_manage_district(request.user, district):
        raise Http404
    try:
        year, quarter = int(request.POST["year"]), int(request.POST["quarter"])
        competition = create_district_competition(
            district=district,
            year=year,
            quarter=quarter,
            scheme=Scheme.objects.order_by("pk").first(),
            optional_codes=[],
            by=request.user,
        )
    except (KeyError, ValueError):
        messages.error(request, _("Choose a year and a quarter."))
        return redirect("scoring:rankings")
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('scoring:rankings')}?year={year}&quarter={quarter}")
    messages.success(
        request, _("District-level competition created with the recommended secretaries.")
    )
    return redirect("scoring:setup", competition.pk)
