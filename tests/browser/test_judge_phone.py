"""A judge scores on a 360 px phone, through a dropped connection; staff watch the board."""

from decimal import Decimal

import pytest
from django.urls import reverse

from competition import services as competition_services
from scoring.models import ScoreSheet
from tests.browser.conftest import DESKTOP, screenshot
from tests.competition_setup import competition_in_scoring
from tests.factories import PASSWORD, UserFactory

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)

# 5 required items of 20 and one optional item of 10: 110 points.
SHEETS = [
    {
        "political": "18",
        "organization": "17.5",
        "development": "16",
        "service": "19",
        "integrity": "20",
        "governance": "8.5",
    },
    {
        "political": "15",
        "organization": "16",
        "development": "14.5",
        "service": "15",
        "integrity": "18",
        "governance": "7",
    },
    {
        "political": "19.5",
        "organization": "19",
        "development": "18",
        "service": "18.5",
        "integrity": "19",
        "governance": "9.5",
    },
]


def fill(page, points: dict[str, str]) -> None:
    for code, value in points.items():
        page.fill(f"#p-{code}", value)


def test_judge_scores_three_contestants_through_a_dropped_connection(
    browser, page_at, live_server, street_staff_carol
):
    judge_user = UserFactory(username="judge_alice", first_name="王建华")
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[judge_user],
    )
    [(seat, token)] = competition_services.issue_cards(
        competition=competition, by=street_staff_carol
    )
    contestants = list(competition.contestants.order_by("order"))

    # Staff open the progress board before anyone scores; it refreshes itself.
    staff = page_at(DESKTOP)
    staff.goto(live_server.url + reverse("login"))
    staff.get_by_label("用户名").fill("carol")
    staff.get_by_label("密码").fill(PASSWORD)
    staff.get_by_role("button", name="登录").click()
    staff.goto(live_server.url + reverse("scoring:board", args=[competition.pk]))
    assert staff.locator("td.cell-submitted").count() == 0

    page = page_at()

    # The QR card's link: confirm, and the judge is signed in for this competition.
    page.goto(live_server.url + reverse("competition:card", args=[token]))
    screenshot(page, "judge-card-sign-in")
    page.get_by_role("button", name="签到并开始评分").click()
    page.wait_for_url(f"**/judge/{competition.pk}/")
    assert page.locator("#contestants a").count() == 3
    screenshot(page, "judge-contestants")

    # The list says once the phone keeps the competition; the page has settled then.
    page.locator("#offline-state[data-state=kept]").wait_for(timeout=15_000)

    # First two contestants, online: the running total follows the typing.
    page.locator("#contestants a").first.click()
    page.wait_for_url(f"**/judge/{competition.pk}/{contestants[0].pk}/")
    fill(page, SHEETS[0])
    assert page.locator("#total").inner_text() == "99"
    assert page.locator("#percent").inner_text() == "90.00"
    screenshot(page, "judge-sheet")
    page.get_by_role("button", name="提交").click()
    # The judge sees the server's figures before moving on.
    confirmed = page.locator("#submitted-box")
    confirmed.wait_for()
    assert "99 / 110" in confirmed.inner_text() or "99 分" in confirmed.inner_text()
    assert "90.00%" in confirmed.inner_text()
    screenshot(page, "judge-sheet-submitted")
    confirmed.get_by_role("link").click()
    page.wait_for_url(f"**/judge/{competition.pk}/{contestants[1].pk}/")
    fill(page, SHEETS[1])
    page.get_by_role("button", name="提交").click()
    page.locator("#submitted-box").get_by_role("link").click()
    page.wait_for_url(f"**/judge/{competition.pk}/{contestants[2].pk}/")

    # Typed values survive a reload: they are kept on the device.
    page.fill("#p-political", SHEETS[2]["political"])
    page.reload()
    assert page.input_value("#p-political") == SHEETS[2]["political"]

    # The network drops; the submit waits in the outbox, visibly.
    fill(page, SHEETS[2])
    page.context.set_offline(True)
    page.get_by_role("button", name="提交").click()
    state = page.locator("#sheet-state")
    state.filter(has_text="网络恢复后").wait_for()
    screenshot(page, "judge-sheet-offline")
    assert not ScoreSheet.objects.filter(contestant=contestants[2]).exists()

    # Back online: the outbox sends it by itself.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#sheet-state[data-state=sent]").wait_for()

    sheets = {
        s.contestant_id: s
        for s in ScoreSheet.objects.filter(judge=seat).prefetch_related("scores__criterion")
    }
    assert set(sheets) == {c.pk for c in contestants}
    for contestant, expected in zip(contestants, SHEETS, strict=True):
        sheet = sheets[contestant.pk]
        assert sheet.status == "submitted"
        assert {s.criterion.code: s.points for s in sheet.scores.all()} == {
            code: Decimal(value) for code, value in expected.items()
        }
    assert sheets[contestants[2].pk].version == 1

    page.goto(live_server.url + reverse("scoring:contestants", args=[competition.pk]))
    assert page.locator("#progress-text").inner_text() == "已提交 3 / 3"

    # The board has filled in by itself, without a reload.
    staff.locator("td.cell-submitted").nth(2).wait_for(timeout=15_000)
    assert staff.locator("td.cell-submitted").count() == 3
    screenshot(staff, "progress-board")
