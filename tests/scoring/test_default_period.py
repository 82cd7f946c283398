"""District pages open on the latest period with published results, not on an empty quarter."""

import re

import pytest
from django.urls import reverse

from competition.models import Competition
from scoring.reports import rankings
from tests.factories import StreetFactory
from tests.scoring.test_rankings import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(street, other_street, district_dan):
    """2024 Q3 and Q4 published in the district, a later quarter only elsewhere, and today's
    quarter being scored (nothing of it published)."""
    publish(street, 2024, 3, {"A": "91.00"}, district_dan)
    publish(other_street, 2024, 4, {"B": "82.00", "C": "64.00"}, district_dan)
    publish(StreetFactory(), 2025, 1, {"X": "99.00"}, district_dan)  # another district
    Competition.objects.create(
        district=street.district, street=street, year=2025, quarter=2, status="published"
    )  # published status but no document yet: nothing to show
    Competition.objects.create(
        district=street.district, street=other_street, year=2026, quarter=4, status="scoring"
    )


def test_the_latest_published_period_is_of_the_district(street, published):
    assert rankings.latest_published_period(street.district_id) == (2024, 4)
    assert rankings.latest_published_period(None) == (2025, 1)


def test_nothing_published_yet_has_no_latest_period(street):
    assert rankings.latest_published_period(street.district_id) is None


def test_rankings_open_on_the_latest_quarter_with_published_results(
    client, district_dan, published
):
    client.force_login(district_dan)
    response = client.get(reverse("scoring:rankings"))
    html = response.content.decode()
    assert (response.context["year"], response.context["quarter"]) == (2024, 4)
    assert [r.village_code for r in response.context["result"].rows] == ["B", "C"]
    quarter = html.split('id="quarter"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d)" selected>', quarter) == ["4"]
    assert 'name="year" value="2024"' in html
    # A period asked for is shown, published or not.
    asked = client.get(reverse("scoring:rankings"), {"year": 2026, "quarter": 4})
    assert (asked.context["year"], asked.context["quarter"]) == (2026, 4)
    # A period that cannot be opens on the default, not on an empty or clamped quarter.
    for bad in ({"year": "abc", "quarter": "9"}, {"year": 1990, "quarter": 1}, {"quarter": 9}):
        page = client.get(reverse("scoring:rankings"), bad)
        assert (page.context["year"], page.context["quarter"]) == (2024, 4), bad
    dashboard = client.get(reverse("scoring:dashboard"), {"year": 99999999999})
    assert (dashboard.context["year"], dashboard.context["quarter"]) == (2024, 4)


def test_the_dashboard_opens_on_the_latest_quarter_with_published_results(
    client, district_dan, published
):
    client.force_login(district_dan)
    response = client.get(reverse("scoring:dashboard"))
    assert (response.context["year"], response.context["quarter"]) == (2024, 4)
    assert response.context["chart"]["distribution"] == [0, 1, 1, 0]


def test_the_annual_report_opens_on_the_latest_year_with_published_results(
    client, district_dan, published
):
    client.force_login(district_dan)
    response = client.get(reverse("scoring:annual"))
    assert response.context["year"] == 2024
    assert sorted(r.village_code for r in response.context["rows"]) == ["A", "B", "C"]


def test_with_nothing_published_the_pages_open_on_this_quarter(client, district_dan):
    from django.utils import timezone

    today = timezone.localdate()
    client.force_login(district_dan)
    response = client.get(reverse("scoring:rankings"))
    assert (response.context["year"], response.context["quarter"]) == (
        today.year,
        (today.month - 1) // 3 + 1,
    )
    assert client.get(reverse("scoring:annual")).context["year"] == today.year
