"""The district dashboard in a real browser: every chart is drawn from the embedded numbers."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from competition.models import Judge
from tests.browser.conftest import DESKTOP, screenshot
from tests.factories import PASSWORD, StreetFactory
from tests.scoring.test_dashboard import contestants_of, in_scoring, panel, problem, sheet
from tests.scoring.test_rankings import publish

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)

CHARTS = ["chart-grades", "chart-streets", "chart-trend", "chart-problems", "chart-completion"]

PAINTED = """id => {
  const canvas = document.getElementById(id);
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return painted;
}"""


def test_district_staff_see_the_dashboard_charts(page_at, live_server, district_dan, street):
    streets = [street, *StreetFactory.create_batch(3, district=street.district)]
    year = timezone.localdate().year
    overdue = timezone.localdate() - dt.timedelta(days=3)
    for index, each in enumerate(streets):
        finals = {f"{index}{c}": f"{58 + (index * 11 + c * 7) % 40}.50" for c in range(8)}
        current = publish(each, year, 2, finals, district_dan)
        publish(each, year, 1, {k: f"{float(v) - 2:.2f}" for k, v in finals.items()}, district_dan)
        publish(
            each, year - 1, 2, {k: f"{float(v) - 4:.2f}" for k, v in finals.items()}, district_dan
        )
        for n, contestant in enumerate(contestants_of(current, each, index + 1)):
            problem(current, contestant, ["open", "in_progress", "resolved"][n % 3], overdue)
    scoring = in_scoring(StreetFactory(district=street.district, name="测试街道（评分中）"))
    judges = panel(scoring, 3, Judge.Role.AREA_CHIEF)
    for contestant in contestants_of(scoring, scoring.street, 4)[:3]:
        for judge in judges[:2]:
            sheet(judge, contestant)

    page = page_at(DESKTOP)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("用户名").fill("dan")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + reverse("home"))
    page.locator("a.nav-link[href$='/dashboard/']").click()
    page.wait_for_url("**/dashboard/")
    page.goto(live_server.url + reverse("scoring:dashboard") + f"?year={year}&quarter=2")

    page.locator("#chart-completion").wait_for()
    for chart in CHARTS:
        assert page.locator(f"#{chart}").is_visible(), chart
        assert page.evaluate(PAINTED, chart) > 1000, f"{chart} is blank"
    assert page.locator("#grades-table tfoot").inner_text().split()[-1] == "32"
    assert page.locator("#completion-table tbody tr").first.inner_text().split()[-3:] == [
        "6",
        "12",
        "50",
    ]
    screenshot(page, "dashboard")
