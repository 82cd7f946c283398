"""A secretary's profile at 1280×800: the record and its trend line."""

import pytest
from django.urls import reverse

from competition.models import Contestant
from tests.browser.conftest import DESKTOP, screenshot
from tests.factories import PASSWORD, TenureFactory
from tests.scoring.test_rankings import publish

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_profile_draws_the_trend_of_finals(page_at, live_server, street, district_dan):
    tenure = TenureFactory(
        village__street=street,
        village__code="P1",
        village__name="前朱官庄村",
        secretary__name="朱建国",
    )
    for quarter, final in enumerate(["78.00", "84.50", "91.00", "88.00"], start=1):
        competition = publish(street, 2026, quarter, {"P1": final}, district_dan)
        Contestant.objects.create(
            competition=competition, secretary=tenure.secretary, village=tenure.village, order=1
        )
    page = page_at(DESKTOP)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("用户名").fill("dan")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(live_server.url + reverse("scoring:secretary", args=[tenure.secretary.pk]))

    assert page.locator("#record tbody tr").count() == 4
    points = page.locator("svg.trend-chart polyline").get_attribute("points").split()
    assert len(points) == 4
    box = page.locator("svg.trend-chart").bounding_box()
    assert box["width"] > 100 and box["height"] > 40
    screenshot(page, "secretary-profile")
