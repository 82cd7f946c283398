"""Whose district and which period a report page shows, as the request asks; and the
content types of the reports' downloads."""

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.permissions import card_scope
from scoring.reports import rankings
from villages import permissions as org
from villages.models import District

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
DOWNLOADS = ("xlsx", "csv")


def district_for(request: HttpRequest) -> District:
    """The district whose reports the request asks for: the reader's own, or the one an
    administrator chose (the first by default); 404 for anyone else."""
    if card_scope(request) is not None:
        raise Http404
    membership = org.membership_of(request.user)
    district = membership.district if membership else None
    if org.can_choose_district(request.user):
        chosen = request.GET.get("district") or request.POST.get("district")
        district = (
            District.objects.filter(pk=chosen).first()
            if chosen and chosen.isdigit()
            else District.objects.order_by("pk").first()
        )
    if district is None or not org.can_view_district(request.user, district):
        raise Http404(_("District reports are for district staff."))
    return district


def period_for(request: HttpRequest, district: District | None) -> tuple[int, int]:
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
