"""The hall follows the controller: two browsers, the stage controller on a laptop and the big
screen on a projector at 1920×1080, the screen catching up within a second by short polling
(answered 304 while nothing changed), and counting down by itself when the network drops."""

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.sheets.services import save_sheet
from stage import services
from stage.models import Question, ScreenLink, Stage
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.test_staff_phone import sign_in
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import UserFactory

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)

PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture
def hall(street_staff_carol):
    judges = [UserFactory(first_name=f"评委{n}") for n in range(3)]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=judges,
        contestants=8,
    )
    for code, text in [
        ("political", "请谈谈本季度你带头学习党的理论、落实“三会一课”的具体做法。"),
        ("development", "村集体经济收入比去年同期增长了多少？下一步有什么打算？"),
        ("governance", "网格员怎样发现和化解邻里矛盾？请举一个本季度的例子。"),
    ]:
        services.add_question(
            competition=competition, criterion_code=code, text=text, by=street_staff_carol
        )
    return competition, judges


def step(controller, button: str) -> float:
    """Press a controller's button; when the server has answered, the change is made: the
    moment the screen's one second starts."""
    with controller.expect_navigation():
        controller.locator(button).click()
    return time.monotonic()


def caught_up(page, selector, text, started) -> float:
    page.locator(selector, has_text=text).wait_for(timeout=3000)
    return time.monotonic() - started


def test_the_big_screen_follows_the_controller_within_a_second(
    page_at, live_server, hall, street_staff_carol
):
    competition, judges = hall
    speakers = list(competition.contestants.order_by("order").select_related("secretary"))
    controller = page_at(DESKTOP)
    sign_in(controller, live_server, "carol")
    controller.goto(live_server.url + reverse("stage:controller", args=[competition.pk]))

    link = services.issue_screen_link(competition=competition, by=street_staff_carol)
    screen = page_at(PROJECTOR)
    answers = []
    screen.on(
        "response",
        lambda r: answers.append(r.status) if "/screen/state/" in r.url else None,
    )
    screen.goto(live_server.url + reverse("stage:screen_link", args=[link]))
    screen.locator("#now-name", has_text="现场尚未开始").wait_for()
    screen.wait_for_timeout(1200)
    assert 304 in answers  # polled, and nothing had changed

    started = step(controller, "#do-start")
    assert caught_up(screen, "#now-name", speakers[0].secretary.name, started) < 1.0
    screen.locator("#now-segment", has_text="现场述职").wait_for()
    assert screen.locator(".screen-turn.turn-current").count() == 1

    controller.locator("#do-next-segment").click()
    controller.locator("#do-draw").click()
    controller.locator("#drawn-question").wait_for()
    drawn = controller.locator("#drawn-question").inner_text()
    started = time.monotonic()
    assert caught_up(screen, "#question-text", drawn, started) < 1.5  # two polls at most

    started = step(controller, "#do-next-contestant")
    assert caught_up(screen, "#now-name", speakers[1].secretary.name, started) < 1.0
    assert screen.locator("#question-box").is_hidden()
    assert "已完成" in screen.locator(".screen-turn").first.inner_text()


def test_the_countdown_turns_amber_then_red_and_keeps_running_offline(
    page_at, live_server, hall, street_staff_carol
):
    competition, _judges = hall
    services.step(competition=competition, action="start", by=street_staff_carol)
    link = services.issue_screen_link(competition=competition, by=street_staff_carol)
    screen = page_at(PROJECTOR)
    screen.goto(live_server.url + reverse("stage:screen_link", args=[link]))
    clock = screen.locator("#clock")
    clock.filter(has_text="4:").wait_for()  # 5:00 counting down
    assert "clock-amber" not in clock.get_attribute("class")

    # 30 seconds left: amber.
    Stage.objects.update(started_at=timezone.now() - dt.timedelta(seconds=270), version=100)
    screen.locator("#clock.clock-amber").wait_for(timeout=2000)
    # Over time: red, counting up past the end.
    Stage.objects.update(started_at=timezone.now() - dt.timedelta(seconds=310), version=101)
    screen.locator("#clock.clock-red").wait_for(timeout=2000)
    assert "已超时" in clock.inner_text()

    Stage.objects.update(started_at=timezone.now() - dt.timedelta(seconds=200), version=102)
    screen.locator("#clock:not(.clock-red)").wait_for(timeout=2000)
    screen.context.set_offline(True)
    screen.locator("#offline", has_text="重新连接中").wait_for(timeout=3000)
    before = clock.inner_text()
    screen.wait_for_timeout(1300)
    assert clock.inner_text() != before  # counted down without the server
    screen.context.set_offline(False)
    screen.locator("#offline").wait_for(state="hidden", timeout=3000)


def question_on_screen(screen, live_server, competition, staff):
    """The first contestant in the questions with a question drawn, on the big screen opened
    from a new screen link in `screen`."""
    services.step(competition=competition, action="start", by=staff)
    services.step(competition=competition, action="next_segment", by=staff)
    services.draw_question(competition=competition, by=staff)
    link = services.issue_screen_link(competition=competition, by=staff)
    screen.goto(live_server.url + reverse("stage:screen_link", args=[link]))
    return screen


def test_over_time_the_question_stays_on_the_screen_and_a_revoked_link_leaves_nothing(
    page_at, live_server, hall, street_staff_carol
):
    competition, _judges = hall
    screen = question_on_screen(page_at(PROJECTOR), live_server, competition, street_staff_carol)
    screen.locator("#question-box").wait_for()

    # Questions last 3 minutes: 12 minutes past the end.
    Stage.objects.update(started_at=timezone.now() - dt.timedelta(minutes=15), version=100)
    clock = screen.locator("#clock.clock-over")
    clock.wait_for(timeout=2000)
    assert clock.inner_text().startswith("已超时 +12:")
    assert clock.evaluate("(c) => c.getClientRects().length") == 1  # one line
    box = screen.locator("#question-box").bounding_box()
    assert box["y"] + box["height"] <= PROJECTOR["height"]  # the whole question is on the screen
    screenshot(screen, "big-screen-over-time")

    issued = ScreenLink.objects.get(competition=competition)
    services.revoke_screen_link(link=issued, by=street_staff_carol)
    screen.locator("#now-name", has_text="此大屏链接无效").wait_for(timeout=2000)
    for gone in ("#clock", "#question-box", "#order"):
        assert screen.locator(gone).is_hidden(), gone
    assert screen.inner_text("#now-order") == ""
    assert "已被作废" in screen.inner_text("#now-village")
    # Reloaded, the projector is told the same, not shown a bare 404.
    screen.reload()
    assert "此大屏链接无效" in screen.inner_text("main")
    assert competition.title in screen.inner_text("main")
    assert screen.locator("nav").count() == 0  # nothing of the site on the projector


@pytest.mark.parametrize("size", [PROJECTOR, {"width": 1280, "height": 720}])
def test_a_long_question_is_read_to_its_end_and_a_pause_is_said_in_words(
    page_at, live_server, hall, street_staff_carol, size
):
    competition, _judges = hall
    Question.objects.filter(competition=competition).delete()
    long = (
        "请结合本村实际，"
        + "详细说明本季度在村集体经济发展、人居环境整治和矛盾纠纷化解方面的做法、成效与不足，" * 6
    )
    services.add_question(
        competition=competition, criterion_code="development", text=long, by=street_staff_carol
    )
    screen = question_on_screen(page_at(size), live_server, competition, street_staff_carol)
    screen.locator("#question-text", has_text="矛盾纠纷").first.wait_for()

    # The whole question is on the screen: the type stepped down until it fits.
    box = screen.locator("#question-box").bounding_box()
    assert box["y"] + box["height"] <= size["height"]
    assert screen.locator("#screen[class*=fit-]").count() == 1
    assert screen.inner_text("#question-text") == long

    services.step(competition=competition, action="pause", by=street_staff_carol)
    screen.locator("#now-segment", has_text="台上答辩 · 已暂停").wait_for(timeout=3000)
    if size == PROJECTOR:
        screenshot(screen, "big-screen-long-question")


def test_screenshots_of_the_controller_and_the_big_screen(
    page_at, live_server, hall, street_staff_carol
):
    competition, judges = hall
    speakers = list(competition.contestants.order_by("order"))
    services.update_settings(
        competition=competition,
        minutes={"report": 5, "questions": 3, "comments": 2},
        show_panel_score=True,
        by=street_staff_carol,
    )
    for contestant in speakers[:2]:
        for judge in judges:
            save_sheet(
                judge=competition.judges.get(user=judge),
                contestant=contestant,
                points=full_points(competition, 0.8 if judge != judges[0] else 0.9),
                version=1,
                submit=True,
                by=judge,
            )
    services.step(competition=competition, action="start", by=street_staff_carol)
    services.step(competition=competition, action="next_contestant", by=street_staff_carol)
    services.step(competition=competition, action="next_contestant", by=street_staff_carol)
    services.step(competition=competition, action="skip", by=street_staff_carol)
    services.step(competition=competition, action="start", by=street_staff_carol)
    services.step(competition=competition, action="next_segment", by=street_staff_carol)
    services.draw_question(competition=competition, by=street_staff_carol)
    save_sheet(
        judge=competition.judges.get(user=judges[1]),
        contestant=speakers[3],
        points=full_points(competition),
        version=1,
        submit=True,
        by=judges[1],
    )
    Stage.objects.update(started_at=timezone.now() - dt.timedelta(seconds=47))

    controller = page_at(DESKTOP)
    sign_in(controller, live_server, "carol")
    controller.goto(live_server.url + reverse("stage:controller", args=[competition.pk]))
    controller.locator("#drawn-question").wait_for()
    screenshot(controller, "stage-controller")

    link = services.issue_screen_link(competition=competition, by=street_staff_carol)
    screen = page_at(PROJECTOR)
    screen.goto(live_server.url + reverse("stage:screen_link", args=[link]))
    screen.locator("#question-text").wait_for()
    screen.locator(".screen-turn.turn-current").wait_for()
    size = screen.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size == [1920, 1080]  # the whole screen, nothing below the fold
    screenshot(screen, "big-screen")
    # The done contestants carry their panel scores; the one on stage has one sheet of three.
    marks = screen.locator(".screen-turn-mark").all_inner_texts()
    assert marks[0].startswith("✓ ") and "." in marks[0] and marks[2] == "缺席"
    assert screen.locator("#progress").inner_text() == "评委已评分：1 / 3"
    # A panel score on the screen says what it is.
    assert screen.locator("#now-score").is_hidden()  # one sheet of three is in
    services.step(competition=competition, action="back", by=street_staff_carol)
    services.step(competition=competition, action="back", by=street_staff_carol)
    screen.locator("#now-score", has_text="评委得分 ").wait_for(timeout=3000)


def test_a_judges_phone_says_who_is_on_stage(page_at, live_server, hall, street_staff_carol):
    competition, judges = hall
    services.step(competition=competition, action="start", by=street_staff_carol)
    judge = judges[0]
    judge.username, judge.is_active = "pingwei", True
    judge.set_password("leitai-test-password")
    judge.save()
    phone = page_at(PHONE)
    phone.goto(live_server.url + reverse("login"))
    phone.get_by_label("用户名").fill("pingwei")
    phone.get_by_label("密码").fill("leitai-test-password")
    phone.get_by_role("button", name="登录").click()
    phone.goto(live_server.url + reverse("scoring:contestants", args=[competition.pk]))
    first = competition.contestants.order_by("order").select_related("secretary").first()
    banner = phone.locator("#on-stage-banner")
    assert first.secretary.name in banner.inner_text()
    assert phone.locator("a.turn-current", has_text=first.secretary.name).count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The controller moves on: the phone follows within a few seconds, without a reload.
    services.step(competition=competition, action="next_contestant", by=street_staff_carol)
    second = competition.contestants.order_by("order").select_related("secretary")[1]
    phone.locator("#on-stage-banner", has_text=second.secretary.name).wait_for(timeout=6000)
    assert phone.locator("a.turn-current", has_text=second.secretary.name).count() == 1
    assert phone.locator("a.turn-current").count() == 1
    assert phone.locator(".on-stage-mark").count() == 1
