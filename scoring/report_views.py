"""District staff's pages: quarterly rankings, the annual "double hook" report, advancement."""

import hashlib
import html
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competition.permissions import card_scope
from competition.services import ActionRefused
from config.pages import kept_page
from scoring import rankings, spreadsheets
from scoring.models import Scheme
from scoring.results import GRADE_LABELS
from scoring.services import create_district_competition
from villages import permissions as org
from villages.models import District

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
DOWNLOADS = ("xlsx", "csv")


def _get_district_for_user(request: HttpRequest) -> District:
    if card_scope(request) is not None:
        raise Http404
    membership = org.membership_of(request.user)
    district = membership.district if membership else None
    if request.user.is_superuser:
        chosen = request.GET.get("district") or request.POST.get("district")
        district = (
            District.objects.filter(pk=chosen).first()
            if chosen and chosen.isdigit()
            else District.objects.order_by("pk").first()
        )
    if district is None or not org.can_view_district(request.user, district):
        raise Http404(_("District reports are for district staff."))
    return district


def _period(request: HttpRequest, district: District | None) -> tuple[int, int]:
    """The period asked for; by default — and for a period that cannot be (year=abc,
    quarter=9, year 1990) — the latest with published results, so that a page opens on
    something (this quarter while nothing of it is published yet)."""
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    try:
        asked = int(request.GET.get("year", year)), int(request.GET.get("quarter", quarter))
    except ValueError:
        asked = None
    given = "year" in request.GET or "quarter" in request.GET
    if given and asked and 2000 <= asked[0] <= 2100 and 1 <= asked[1] <= 4:
        return asked
    latest = rankings.latest_published_period(district.pk if district else None)
    return latest if latest is not None else (year, quarter)


def _download(fmt: str, table: spreadsheets.Table, name: str) -> HttpResponse:
    """A table as the Excel or CSV file the reader asked for, in their language."""
    if fmt == "csv":
        response = HttpResponse(spreadsheets.to_csv(table), content_type=CSV)
    else:
        response = HttpResponse(spreadsheets.to_xlsx([table]), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _every_district(request: HttpRequest) -> bool:
    """An administrator may rank the contestants of every district together."""
    return (
        request.user.is_superuser
        and card_scope(request) is None
        and request.GET.get("district") == "all"
    )


def _escape(value) -> str:
    return html.escape(str(value))


def _rankings_rows(rows: list, *, every_district: bool) -> str:
    """The rankings' table rows in one pass: thousands of rows, each text escaped as a template
    escapes it (Django's escape is the standard library's html.escape)."""
    village_url = reverse("scoring:village", args=["CODE"])
    new = _escape(_("new"))
    grades = {code: _escape(label) for code, label in GRADE_LABELS.items()}
    out = []
    for r in rows:
        movement = {"up": f"↑ {r.previous_rank}", "down": f"↓ {r.previous_rank}", "same": "="}
        moved = movement.get(r.movement, new)
        district = f"<td>{_escape(r.district)}</td>" if every_district else ""
        url = _escape(village_url.replace("CODE", quote(r.village_code)))
        out.append(
            f"<tr><td>{r.rank or '—'}</td>{district}"
            f'<td class="col-street">{_escape(r.street)}</td>'
            f'<td class="col-sticky"><a href="{url}">{_escape(r.village)}</a></td>'
            f"<td>{_escape(r.secretary)}</td>"
            f"<td>{r.final if r.final is not None else '—'}</td>"
            f"<td>{grades.get(r.grade or '', '')}</td>"
            f'<td class="movement-{_escape(r.movement)}">{moved}</td></tr>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text in it is escaped


def _rankings_table(
    district, year: int, quarter: int, street, grade, fingerprint: str
) -> tuple[str, int, list, object]:
    """The rendered rankings table, the number of competitions in it and the streets to filter
    by. Made only of published documents, so it is made once per set of documents (and
    language) and then reused."""
    district_id = district.pk if district else None
    parts = ("rankings", district_id, year, quarter, street, grade, get_language(), fingerprint)
    key = "rankings:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    kept = caches["rendered"].get(key)
    if kept is not None:
        return mark_safe(kept[0]), kept[1], kept[2], None  # noqa: S308 - our own template
    result = rankings.district_rankings(
        district_id=district_id, year=year, quarter=quarter, street=street, grade=grade
    )
    table = render_to_string(
        "scoring/_rankings_table.html",
        {
            "district": district,
            "result": result,
            "grades": GRADE_LABELS,
            "rows": _rankings_rows(result.rows, every_district=district is None),
        },
    )
    caches["rendered"].set(key, (str(table), result.competitions, result.streets))
    return table, result.competitions, result.streets, result


@login_required
def district_rankings(request: HttpRequest) -> HttpResponse:
    district = None if _every_district(request) else _get_district_for_user(request)
    year, quarter = _period(request, district)
    street = (request.GET.get("street") or None) if district else None
    grade = request.GET.get("grade") if request.GET.get("grade") in GRADE_LABELS else None
    fmt = request.GET.get("format")
    if fmt not in DOWNLOADS:
        fingerprint = rankings.period_marker(district.pk if district else None, year, quarter)
        districts = (
            list(District.objects.order_by("name").values_list("pk", "name"))
            if request.user.is_superuser
            else None
        )

        def page(extra: dict) -> HttpResponse:
            table, competitions, streets, result = _rankings_table(
                district, year, quarter, street, grade, fingerprint
            )
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
                    "table": table,
                    "competitions": competitions,
                    "result": result,  # None when the table was reused
                    "grades": GRADE_LABELS,
                    "streets": streets if district else [],
                    "quarters": range(1, 5),
                }
                | extra,
            )

        # The page shows the documents of the period, the district's name and the districts
        # an administrator may choose.
        documents = (fingerprint, district and district.name, districts)
        return kept_page(request, ("rankings", documents), page)
    result = rankings.district_rankings(
        district_id=district.pk if district else None,
        year=year,
        quarter=quarter,
        street=street,
        grade=grade,
    )
    table = rankings.rankings_table(result, year=year, quarter=quarter)
    return _download(fmt, table, f"rankings-{year}Q{quarter}")


@login_required
def annual_report(request: HttpRequest) -> HttpResponse:
    district = _get_district_for_user(request)
    year, _quarter = _period(request, district)
    rows = rankings.annual_report(district_id=district.pk, year=year)
    fmt = request.GET.get("format")
    if fmt in DOWNLOADS:
        return _download(fmt, rankings.annual_table(rows, year=year), f"annual-{year}")
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
    district = _get_district_for_user(request)
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
