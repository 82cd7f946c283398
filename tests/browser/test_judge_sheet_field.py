"""The judge's sheet in the field, at 360 px: an expired session loses nothing, each item checks
itself as it is typed, and the judge always knows what state a sheet is in."""

from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from competition import services as competition_services
from competition.models import Judge
from scoring.models import ScoreSheet, SheetRevision
from tests.browser.conftest import screenshot
from tests.browser.test_judge_phone import fill
from tests.competition_setup import competition_in_scoring
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# 5 required items of 20 and one optional item of 10: 110 points.
TYPED = {
    "political": "18",
    "organization": "17.5",
    "development": "16",
    "service": "19",
    "integrity": "20",
    "governance": "8.5",
}


def sign_in(page, live_server, username: str, *, next_url: str = "") -> None:
    page.goto(live_server.url + reverse("login") + (f"?next={next_url}" if next_url else ""))
    sign_in_here(page, username)


def sign_in_here(page, username: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def outbox_length(page) -> int:
    return page.evaluate("JSON.parse(localStorage.getItem('leitai:outbox') || '[]').length")


def assert_sheet_arrived_once(seat: Judge, contestant, typed: dict[str, str]) -> None:
    sheet = ScoreSheet.objects.get(judge=seat, contestant=contestant)
    assert sheet.status == "submitted"
    assert sheet.version == 1
    assert {s.criterion.code: s.points for s in sheet.scores.select_related("criterion")} == {
        code: Decimal(value) for code, value in typed.items()
    }
    assert SheetRevision.objects.filter(sheet=sheet).count() == 1


@pytest.fixture
def scoring(street_staff_carol):
    judge_user = UserFactory(username="judge_wang", first_name="王建华")
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[judge_user],
    )
    seat = competition.judges.get()
    contestants = list(competition.contestants.order_by("order"))
    return competition, seat, contestants


def test_an_expired_session_keeps_the_sheet_until_the_judge_signs_in_again(
    page_at, live_server, scoring
):
    competition, seat, contestants = scoring
    first = contestants[0]
    sheet_path = reverse("scoring:sheet", args=[competition.pk, first.pk])
    page = page_at()
    sign_in(page, live_server, "judge_wang", next_url=sheet_path)
    page.wait_for_url(f"**{sheet_path}")

    # Mid-competition the session ends on the server (expired, or signed out elsewhere).
    Session.objects.all().delete()
    fill(page, TYPED)
    page.get_by_role("button", name="提交").click()

    # The server said "signed out" in JSON: the sheet stays on the phone and in the outbox.
    again = page.locator("#signin-again")
    again.wait_for()
    assert "请重新登录，您的评分已保存在本机" in again.inner_text()
    assert page.locator("#sheet-state[data-state=signed-out]").count() == 1
    assert outbox_length(page) == 1
    assert not ScoreSheet.objects.exists()
    screenshot(page, "judge-sheet-signed-out")

    # Signing in again returns to the same sheet, which then sends itself, once.
    again.get_by_role("link", name="重新登录").click()
    page.wait_for_url("**/accounts/login/**")
    sign_in_here(page, "judge_wang")
    page.wait_for_url(f"**{sheet_path}")
    page.locator("#sheet-state[data-state=sent]").wait_for()
    assert outbox_length(page) == 0
    assert [page.input_value(f"#p-{code}") for code in TYPED] == list(TYPED.values())
    assert_sheet_arrived_once(seat, first, TYPED)

    # A reload sends nothing more.
    page.reload()
    page.wait_for_timeout(500)
    assert_sheet_arrived_once(seat, first, TYPED)


def test_a_judge_who_signs_in_again_with_a_new_card_gets_the_waiting_sheet_sent(
    page_at, live_server, scoring, street_staff_carol
):
    competition, seat, contestants = scoring
    [(_, token)] = competition_services.issue_cards(competition=competition, by=street_staff_carol)
    page = page_at()
    page.goto(live_server.url + reverse("competition:card", args=[token]))
    page.get_by_role("button", name="签到并开始评分").click()
    page.wait_for_url(f"**/judge/{competition.pk}/")
    page.locator("#contestants a").nth(1).click()

    Session.objects.all().delete()
    fill(page, TYPED)
    page.get_by_role("button", name="提交").click()
    page.locator("#signin-again").wait_for()
    assert not ScoreSheet.objects.exists()

    # The street staff hand out a new card; the judge signs in with it on the same phone.
    [(_, fresh)] = competition_services.issue_cards(competition=competition, by=street_staff_carol)
    page.goto(live_server.url + reverse("competition:card", args=[fresh]))
    page.get_by_role("button", name="签到并开始评分").click()
    page.wait_for_url(f"**/judge/{competition.pk}/")
    for _ in range(50):  # the list page sends the outbox by itself
        if outbox_length(page) == 0:
            break
        page.wait_for_timeout(100)
    assert outbox_length(page) == 0
    assert_sheet_arrived_once(seat, contestants[1], TYPED)


def test_a_stale_security_token_is_fetched_afresh_and_the_sheet_sent(page_at, live_server, scoring):
    competition, seat, contestants = scoring
    page = page_at()
    sign_in(page, live_server, "judge_wang")
    page.goto(live_server.url + reverse("scoring:sheet", args=[competition.pk, contestants[0].pk]))
    # The CSRF cookie changes under the page (as a sign-in in another tab would change it).
    page.context.clear_cookies(name="csrftoken")
    page.evaluate("document.getElementById('outbox-texts').dataset.csrf = 'x'.repeat(64)")
    fill(page, TYPED)
    page.get_by_role("button", name="提交").click()
    page.locator("#sheet-state[data-state=sent]").wait_for()
    assert_sheet_arrived_once(seat, contestants[0], TYPED)


def test_each_item_checks_itself_as_it_is_typed(page_at, live_server, scoring):
    competition, seat, contestants = scoring
    page = page_at()
    sign_in(page, live_server, "judge_wang")
    page.goto(live_server.url + reverse("scoring:sheet", args=[competition.pk, contestants[0].pk]))

    page.fill("#p-political", "25")
    assert page.inner_text("#e-political") == "最多 20 分。"
    assert page.get_attribute("#p-political", "aria-invalid") == "true"
    page.fill("#p-organization", "18")
    # The running total counts the valid items only, and says how many are missing and how
    # many are to be put right.
    assert page.inner_text("#total") == "18"
    assert page.inner_text("#missing") == "还有 4 项未打分。1 项需更正（已标红）。"

    page.fill("#p-development", "١٠")  # Arabic-Indic digits
    assert "0–9" in page.inner_text("#e-development")
    page.fill("#p-service", "17.3")
    assert page.inner_text("#e-service") == "分数须以 0.5 分为单位。"
    page.fill("#p-political", "20")
    assert page.inner_text("#e-political") == ""
    assert page.get_attribute("#p-political", "aria-invalid") is None
    assert page.inner_text("#total") == "38"
    screenshot(page, "judge-sheet-checks-as-typed")

    # A refused submit sends nothing and takes the judge to the first item at fault.
    page.get_by_role("button", name="提交").click()
    assert page.evaluate("document.activeElement.id") == "p-development"
    assert page.inner_text("#e-integrity") == "提交前请为此项打分。"
    assert page.locator("#sheet-state[data-state=refused]").count() == 1
    assert outbox_length(page) == 0
    page.wait_for_timeout(300)
    assert not ScoreSheet.objects.exists()

    # Once every item is put right, the refusal is no longer shown.
    fill(page, TYPED)
    assert page.locator("#sheet-state[data-state=refused]").count() == 0


def test_the_servers_refusal_is_shown_under_each_item(page_at, live_server, scoring):
    competition, seat, contestants = scoring
    page = page_at()
    sign_in(page, live_server, "judge_wang")
    page.goto(live_server.url + reverse("scoring:sheet", args=[competition.pk, contestants[0].pk]))
    # A page whose maximum is out of date: the phone lets 25 through, the server does not.
    page.evaluate("document.getElementById('p-political').dataset.max = '30'")
    fill(page, TYPED | {"political": "25"})
    page.get_by_role("button", name="提交").click()
    page.locator("#sheet-state[data-state=refused]").wait_for()
    assert page.inner_text("#e-political") == "最多 20 分。"
    assert page.evaluate("document.activeElement.id") == "p-political"
    assert not ScoreSheet.objects.exists()
    # What was typed is still on the phone.
    page.reload()
    assert page.input_value("#p-political") == "25"


def test_the_judge_always_knows_what_state_a_sheet_is_in(
    page_at, live_server, scoring, street_staff_carol
):
    competition, seat, contestants = scoring
    first, second, third = contestants
    seat.recusals.add(second)
    competition_services.set_absent(contestant=third, absent=True, by=street_staff_carol)
    page = page_at()
    sign_in(page, live_server, "judge_wang")
    page.wait_for_url(live_server.url + "/")
    # The home page lists the judge's competition with the same count as their list.
    panels = page.locator("#seats")
    assert competition.title in panels.inner_text()
    home_count = panels.locator(".small").inner_text().split("·")[-1].strip()

    page.goto(live_server.url + reverse("scoring:contestants", args=[competition.pk]))
    assert page.inner_text("#progress-text").strip() == home_count
    recused = page.locator("#contestants > div", has_text=second.secretary.name)
    assert "回避" in recused.inner_text()
    assert "缺席" in page.locator("#contestants > div", has_text=third.secretary.name).inner_text()
    # The recused contestant's sheet cannot be opened for scoring.
    page.goto(live_server.url + reverse("scoring:sheet", args=[competition.pk, second.pk]))
    assert "您已回避" in page.inner_text("#not-scored")
    assert page.locator("#sheet").count() == 0

    # A draft says it is a draft; a submit shows the server's figures, then the buttons say
    # that a save revises the submitted sheet.
    page.goto(live_server.url + reverse("scoring:sheet", args=[competition.pk, first.pk]))
    page.fill("#p-political", "18")
    page.get_by_role("button", name="保存草稿").click()
    page.locator("#sheet-state[data-state=sent]").wait_for()
    assert page.inner_text("#sheet-state") == "已保存草稿。提交后才计入成绩。"
    assert ScoreSheet.objects.get().status == "draft"
    page.reload()  # the page now draws the draft's line above the form
    assert page.inner_text("#sheet-status") == "已保存草稿。提交后才计入成绩。"
    fill(page, TYPED)
    page.get_by_role("button", name="提交").click()
    page.locator("#submitted-box").wait_for()
    # Nothing on the page still says it is a draft.
    assert page.locator("#sheet-status").is_hidden()
    assert "提交后才计入成绩" not in page.inner_text("main")
    assert "总分 99 / 110（90.00%）" in page.inner_text("#submitted-line")
    assert page.inner_text("#sheet-state") == "已提交。评分结束前仍可修改。"
    assert page.locator("#save-draft").is_hidden()
    assert page.inner_text("#save-submit") == "保存修改"
    page.reload()
    assert page.input_value("#p-organization") == "17.5"  # as typed, not 17.50
    assert page.locator("#save-draft").is_hidden()
    assert "保存修改后仍为已提交" in page.inner_text("#revise-note")
    assert "已提交" in page.inner_text("#sheet-status")
    screenshot(page, "judge-sheet-revise")


def test_a_sheet_waiting_on_a_shared_phone_is_never_saved_under_the_next_judge(
    page_at, live_server, street_staff_carol
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[UserFactory(username="judge_wang"), UserFactory(username="judge_li")],
    )
    wang, li = competition.judges.order_by("pk")
    first = competition.contestants.order_by("order").first()
    sheet_path = reverse("scoring:sheet", args=[competition.pk, first.pk])
    page = page_at()
    sign_in(page, live_server, "judge_wang", next_url=sheet_path)
    page.wait_for_url(f"**{sheet_path}")
    Session.objects.all().delete()
    fill(page, TYPED)
    page.get_by_role("button", name="提交").click()
    page.locator("#signin-again").wait_for()

    # The phone is handed to the next judge, who signs in from the same page.
    page.locator("#signin-again").get_by_role("link", name="重新登录").click()
    sign_in_here(page, "judge_li")
    page.wait_for_url(f"**{sheet_path}")
    page.wait_for_timeout(1000)
    assert not ScoreSheet.objects.exists()
    assert outbox_length(page) == 1  # kept for the judge who typed it

    # The first judge signs in again: the sheet is theirs, sent once.
    page.context.clear_cookies()  # the second judge's session ends
    sign_in(page, live_server, "judge_wang", next_url=sheet_path)
    page.locator("#sheet-state[data-state=sent]").wait_for()
    assert not ScoreSheet.objects.filter(judge=li).exists()
    assert_sheet_arrived_once(wang, first, TYPED)


def test_a_second_phone_with_the_same_version_is_told_and_keeps_its_typing(
    page_at, live_server, scoring
):
    competition, seat, contestants = scoring
    url = live_server.url + reverse("scoring:sheet", args=[competition.pk, contestants[0].pk])
    phones = []
    for _ in range(2):
        phone = page_at()
        sign_in(phone, live_server, "judge_wang")
        phone.goto(url)
        phones.append(phone)
    one, two = phones
    fill(one, TYPED)
    one.get_by_role("button", name="提交").click()
    one.locator("#submitted-box").wait_for()

    other = TYPED | {"political": "10"}
    fill(two, other)
    two.get_by_role("button", name="提交").click()
    two.locator("#sheet-state[data-state=stale]").wait_for()
    assert "未被采用" in two.inner_text("#sheet-state")
    assert two.input_value("#p-political") == "10"
    assert_sheet_arrived_once(seat, contestants[0], TYPED)

    # What the second phone typed is kept across a reload, and can be sent on purpose.
    two.reload()
    assert two.input_value("#p-political") == "10"
    two.get_by_role("button", name="保存修改").click()
    two.locator("#sheet-state[data-state=sent]").wait_for()
    sheet = ScoreSheet.objects.get()
    assert sheet.version == 2
    assert sheet.scores.get(criterion__code="political").points == 10


def test_a_phone_whose_cookies_were_all_cleared_asks_the_judge_to_sign_in(
    page_at, live_server, scoring
):
    competition, seat, contestants = scoring
    page = page_at()
    sign_in(page, live_server, "judge_wang")
    page.goto(live_server.url + reverse("scoring:sheet", args=[competition.pk, contestants[0].pk]))
    page.context.clear_cookies()
    fill(page, TYPED)
    page.get_by_role("button", name="提交").click()
    page.locator("#signin-again").wait_for()
    assert outbox_length(page) == 1
    assert not ScoreSheet.objects.exists()


def test_a_sheet_refused_meanwhile_says_why_to_the_judge_and_stops_the_typing(
    page_at, live_server, scoring, street_staff_carol
):
    competition, seat, contestants = scoring
    page = page_at()
    sign_in(page, live_server, "judge_wang")
    page.goto(live_server.url + reverse("scoring:sheet", args=[competition.pk, contestants[0].pk]))
    fill(page, TYPED)
    # Staff mark the contestant absent while the judge has the sheet open.
    competition_services.set_absent(contestant=contestants[0], absent=True, by=street_staff_carol)
    page.get_by_role("button", name="提交").click()
    closed = page.locator("#sheet-closed")
    closed.wait_for()
    assert "缺席" in closed.inner_text() and "该评委" not in closed.inner_text()
    assert page.locator("#p-political").is_disabled()
    assert page.locator("#save-submit").is_disabled()
    assert not ScoreSheet.objects.exists()
