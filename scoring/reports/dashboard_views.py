"""District staff's dashboard: one period's numbers as charts, each with its table."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from competition.models import quarter_label
from scoring.domain import Grade
from scoring.reports.dashboard import (
    GRADES,
    Dashboard,
    district_dashboard,
    latest_period_in_scoring,
)
from scoring.reports.scope import district_for, period_for
from villages.permissions import can_choose_district
from villages.queries import districts

GRADE_NAMES = dict(Grade.choices)
GRADE_BADGES = {
    "excellent": "text-bg-success",
    "competent": "text-bg-primary",
    "basic": "text-bg-warning",
    "incompetent": "text-bg-danger",
}


def _number(value) -> float | None:
    return None if value is None else float(value)


def _chart_data(numbers: Dashboard, year: int) -> dict:
    """What static/js/dashboard.js draws: the same numbers as the tables, with their labels."""
    streets = numbers.streets
    return {
        "grades": [{"code": code, "label": str(GRADE_NAMES[code])} for code in GRADES],
        "distribution": [numbers.grade_counts[code] for code in GRADES],
        "streets": {
            "labels": [s.name for s in streets],
            "counts": {code: [s.grade_counts[code] for s in streets] for code in GRADES},
            "average": [_number(s.average) for s in streets],
        },
        "trend": {
            "labels": [quarter_label(q) for q in range(1, 5)],
            "series": [
                {"label": str(year), "values": [_number(v) for v in numbers.averages.values()]},
                {
                    "label": str(year - 1),
                    "values": [_number(v) for v in numbers.previous_averages.values()],
                },
            ],
        },
        "problems": {
            "labels": [p.street for p in numbers.problems],
            "open": [p.open for p in numbers.problems],
            "in_progress": [p.in_progress for p in numbers.problems],
            "overdue": [p.overdue for p in numbers.problems],
        },
        "completion": {
            "labels": [c.label for c in numbers.completion],
            "percent": [c.percent for c in numbers.completion],
        },
        "text": {
            "secretaries": _("Secretaries"),
            "average": _("Average final"),
            "open": _("Open"),
            "in_progress": _("In progress"),
            "overdue": _("Overdue"),
            "submitted": _("Sheets submitted (%)"),
        },
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    district = district_for(request)
    year, quarter = period_for(request, district)
    numbers = district_dashboard(
        district_id=district.pk, year=year, quarter=quarter, today=timezone.localdate()
    )
    chooser = can_choose_district(request.user)
    # The page opens on the latest published quarter; one being scored now is a link away.
    now = None if numbers.completion else latest_period_in_scoring(district.pk)
    scoring_now = now and {
        "year": now[0],
        "quarter": now[1],
        "label": quarter_label(now[1], now[0]),
    }
    return render(
        request,
        "scoring/dashboard.html",
        {
            "district": district,
            "districts": districts() if chooser else None,
            "also": f"&district={district.pk}" if chooser else "",
            "year": year,
            "quarter": quarter,
            "quarters": range(1, 5),
            "numbers": numbers,
            "grade_names": [(c, GRADE_NAMES[c], GRADE_BADGES[c]) for c in GRADES],
            "distribution": [
                (c, GRADE_NAMES[c], GRADE_BADGES[c], numbers.grade_counts[c]) for c in GRADES
            ],
            "chart": _chart_data(numbers, year),
            "scoring_now": scoring_now,
        },
    )
