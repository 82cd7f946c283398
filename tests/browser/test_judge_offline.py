"""The whole competition on the judge's phone, at 360 px: opened once online, scored offline
across reloads and a browser restart, sent once when the network returns; the conflicts that
meanwhile arose are said sheet by sheet; signing out clears the phone's copy; a store of kept
files that fails still leaves pages their styles and scripts; and where a browser has no service
worker, the judge still moves between contestants offline."""

from decimal import Decimal

import pytest
from django.urls import reverse

from competition import services as competition_services
from scoring.models import ScoreSheet, SheetRevision
from scoring.sheets.services import save_sheet
from tests.browser.chromium import CHROMIUM, FLAGS
from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_accessibility import axe_source, violations
from tests.browser.test_judge_phone import SHEETS, fill
from tests.browser.test_judge_sheet_field import sign_in
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PlaywrightError = pytest.importorskip("playwright.sync_api", reason="pip install playwright").Error


@pytest.fixture
def scoring(street_staff_carol):
    judge_user = UserFactory(username="judge_wang", first_name="王建华")
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[judge_user],
        contestants=4,
    )
    seat = competition.judges.get()
    contestants = list(competition.contestants.order_by("order"))
    return competition, seat, contestants


# Where the phone's network "goes": a proxy nobody listens on, for every address including this
# machine's own. Unlike Playwright's offline emulation it holds for the service worker too.
NO_NETWORK = {"server": "http://127.0.0.1:9", "bypass": "<-loopback>"}


@pytest.fixture
def profile(browser, live_server, tmp_path):
    """A phone whose browser keeps its profile (a user-data directory) between launches; each
    launch with `offline=True` has no network at all."""
    contexts = []

    def launch(*, offline: bool = False):
        if contexts:
            contexts[-1].close()  # the phone is switched off first
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=FLAGS,
            viewport=PHONE,
            locale="zh-CN",
            offline=offline,
            proxy=NO_NETWORK if offline else None,
        )
        contexts.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        page.csp = []
        page.on(
            "console",
            lambda m: page.csp.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page

    yield launch
    if contexts:
        contexts[-1].close()


def kept(page) -> None:
    """Wait until the phone says it keeps the whole competition."""
    page.locator("#offline-state[data-state=kept]").wait_for(timeout=15_000)


def outbox(page) -> list:
    return page.evaluate("JSON.parse(localStorage.getItem('leitai:outbox') || '[]')")


def wait_sent(page) -> None:
    for _ in range(100):
        if not outbox(page):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the outbox did not empty: {outbox(page)}")


def points_of(sheet) -> dict:
    return {s.criterion.code: s.points for s in sheet.scores.select_related("criterion")}


def test_a_judge_scores_offline_across_reloads_and_a_restart_and_each_sheet_arrives_once(
    profile, live_server, scoring
):
    competition, seat, contestants = scoring
    base = live_server.url
    list_path = reverse("scoring:contestants", args=[competition.pk])
    page = profile()
    sign_in(page, live_server, "judge_wang", next_url=list_path)
    page.wait_for_url(f"**{list_path}")
    kept(page)
    assert page.inner_text("#offline-state") == "可离线评分：4/4"

    # The network goes before the first contestant. The list still opens, and reloads.
    page = profile(offline=True)
    page.goto(base + list_path)
    page.reload()
    assert page.locator("#contestants a").count() == 4
    # Any contestant opens and reloads offline: drawn on the phone from the kept kit.
    page.goto(base + reverse("scoring:sheet", args=[competition.pk, contestants[2].pk]))
    assert contestants[2].secretary.name in page.inner_text("h1")
    fill(page, SHEETS[0])
    assert page.inner_text("#total") == "99"
    page.get_by_role("button", name="提交").click()
    page.locator("#sheet-state").filter(has_text="网络恢复后").wait_for()
    page.reload()
    assert [page.input_value(f"#p-{code}") for code in SHEETS[0]] == list(SHEETS[0].values())
    kept(page)
    screenshot(page, "offline-sheet")
    page.axe_source = axe_source()
    assert violations(page, "offline sheet") == []

    # The next one, by the sheet's own link: a draft.
    page.get_by_role("link", name=f"{contestants[3].secretary.name} ›").click()
    page.wait_for_url(f"**/{contestants[3].pk}/")
    fill(page, SHEETS[1])
    page.get_by_role("button", name="保存草稿").click()
    page.locator("#sheet-state").filter(has_text="网络恢复后").wait_for()

    # The phone is switched off and on, still without network: the same profile again.
    page = profile(offline=True)
    page.goto(base + reverse("scoring:sheet", args=[competition.pk, contestants[0].pk]))
    fill(page, SHEETS[2])
    page.get_by_role("button", name="提交").click()
    page.locator("#sheet-state").filter(has_text="网络恢复后").wait_for()
    page.get_by_role("link", name="全部").click()
    page.wait_for_url(f"**{list_path}")
    rows = page.locator("#contestants a")
    assert "1 份待发送" in rows.nth(0).inner_text()
    assert "1 份待发送" in rows.nth(2).inner_text()
    assert "1 份待发送" in rows.nth(3).inner_text()
    assert "待发送" not in rows.nth(1).inner_text()
    # No tick and no "submitted" until the server has the sheet: the list's count agrees.
    statuses = [rows.nth(i).locator(".status").inner_text() for i in range(4)]
    assert statuses[0].startswith("待发送：提交 · ") and statuses[0].endswith(" 分")
    assert statuses[2] == "待发送：提交 · 99 分"
    assert statuses[3] == "待发送：草稿"
    assert not any("✓" in status for status in statuses)
    assert page.inner_text("#progress-text") == "已提交 0 / 4"
    screenshot(page, "offline-list")
    page.axe_source = axe_source()
    assert violations(page, "offline list") == []
    assert not ScoreSheet.objects.exists()
    assert page.csp == []

    # The network returns: everything arrives, in order, once, with what was typed.
    page = profile()
    page.goto(base + list_path)
    wait_sent(page)
    sheets = {s.contestant_id: s for s in ScoreSheet.objects.filter(judge=seat)}
    assert set(sheets) == {contestants[0].pk, contestants[2].pk, contestants[3].pk}
    for contestant, typed, status in (
        (contestants[2], SHEETS[0], "submitted"),
        (contestants[3], SHEETS[1], "draft"),
        (contestants[0], SHEETS[2], "submitted"),
    ):
        sheet = sheets[contestant.pk]
        assert (sheet.status, sheet.version) == (status, 1)
        assert points_of(sheet) == {code: Decimal(value) for code, value in typed.items()}
    assert SheetRevision.objects.filter(sheet__judge=seat).count() == 3
    # A reload sends nothing twice.
    page.reload()
    page.wait_for_timeout(500)
    assert SheetRevision.objects.filter(sheet__judge=seat).count() == 3
    assert page.locator("#progress-text").inner_text() == "已提交 2 / 4"
    assert page.csp == []


def open_online(page, live_server, competition) -> str:
    list_path = reverse("scoring:contestants", args=[competition.pk])
    sign_in(page, live_server, "judge_wang", next_url=list_path)
    page.wait_for_url(f"**{list_path}")
    kept(page)
    return list_path


def score_offline(page, live_server, competition, contestant, typed) -> None:
    page.goto(live_server.url + reverse("scoring:sheet", args=[competition.pk, contestant.pk]))
    fill(page, typed)
    page.get_by_role("button", name="提交").click()
    page.locator("#sheet-state").filter(has_text="网络恢复后").wait_for()


def test_what_changed_meanwhile_is_said_sheet_by_sheet_and_nothing_typed_is_lost(
    profile, live_server, scoring, street_staff_carol
):
    competition, seat, contestants = scoring
    page = profile()
    list_path = open_online(page, live_server, competition)
    page = profile(offline=True)
    for contestant, typed in zip(contestants[:3], SHEETS, strict=True):
        score_offline(page, live_server, competition, contestant, typed)

    # Meanwhile: the judge is recused from the second; another phone saved a newer third.
    competition_services.set_recusals(
        judge=seat, contestants=[contestants[1]], by=street_staff_carol
    )
    save_sheet(
        judge=seat,
        contestant=contestants[2],
        points=full_points(competition),
        version=3,
        submit=True,
        by=seat.user,
    )
    page = profile()
    page.goto(live_server.url + list_path)
    wait_sent(page)
    page.reload()
    kept(page)
    rows = page.locator("#contestants [data-contestant]")
    assert "服务器未接受" not in rows.nth(0).inner_text()
    recused = rows.nth(1).inner_text()
    assert "服务器未接受：" in recused and "回避" in recused
    assert "个人政治表现 15" in recused  # what was typed, still on the phone
    stale = rows.nth(2).inner_text()
    assert "服务器未接受：" in stale and "另一个版本" in stale
    sheets = {s.contestant_id: s for s in ScoreSheet.objects.filter(judge=seat)}
    assert points_of(sheets[contestants[0].pk]) == {k: Decimal(v) for k, v in SHEETS[0].items()}
    assert contestants[1].pk not in sheets
    assert sheets[contestants[2].pk].version == 3  # the other phone's, untouched
    # The stale sheet opens with what this phone typed, to check and send again.
    page.goto(live_server.url + reverse("scoring:sheet", args=[competition.pk, contestants[2].pk]))
    assert [page.input_value(f"#p-{code}") for code in SHEETS[2]] == list(SHEETS[2].values())
    assert "另一个版本" in page.inner_text("#sheet-state")
    page.get_by_role("button", name="保存修改").click()
    page.locator("#sheet-state[data-state=sent]").wait_for()
    sheet = ScoreSheet.objects.get(judge=seat, contestant=contestants[2])
    assert sheet.version == 4 and points_of(sheet) == {k: Decimal(v) for k, v in SHEETS[2].items()}

    # Offline again; meanwhile scoring closes.
    page = profile(offline=True)
    score_offline(page, live_server, competition, contestants[3], SHEETS[1])
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    page = profile()
    page.goto(live_server.url + list_path)
    wait_sent(page)
    page.reload()
    page.locator("#offline-state[data-state=closed]").wait_for()
    closed = page.locator("#contestants [data-contestant]").nth(3).inner_text()
    assert "服务器未接受：" in closed and "现在不能评分" in closed
    assert "个人政治表现 15" in closed
    assert not ScoreSheet.objects.filter(contestant=contestants[3]).exists()
    # The close removed the phone's copy of the competition.
    assert page.evaluate(f"localStorage.getItem('leitai:kit:{competition.pk}')") is None
    assert page.evaluate(f"caches.has('leitai-judge-{competition.pk}')") is False


def test_a_store_that_fails_to_answer_still_leaves_the_page_its_styles_and_scripts(
    page_at, live_server, scoring
):
    competition, seat, contestants = scoring
    page = page_at()
    list_path = open_online(page, live_server, competition)
    # The phone's store of kept files breaks (full, or an in-app browser's): every look-up fails.
    (worker,) = page.context.service_workers
    worker.evaluate("() => { self.caches.match = () => Promise.reject(new Error('broken')); }")
    page.goto(live_server.url + list_path)
    page.locator("#offline-state[data-state]").wait_for()  # offline.js ran
    rules = "Array.from(document.styleSheets).map((s) => s.cssRules.length)"
    assert all(count > 0 for count in page.evaluate(rules)), "a stylesheet did not arrive"


def test_signing_out_clears_the_phones_copy_of_the_competition(page_at, live_server, scoring):
    competition, seat, contestants = scoring
    page = page_at()
    open_online(page, live_server, competition)
    assert page.evaluate(f"caches.has('leitai-judge-{competition.pk}')") is True
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(lambda url: "/judge/" not in url)
    assert page.title().startswith("首页")
    assert page.locator(f"form[action='{reverse('logout')}']").count() == 0  # signed out
    assert page.evaluate(f"localStorage.getItem('leitai:kit:{competition.pk}')") is None
    # The service worker deletes the kept pages as the sign-out goes by.
    page.wait_for_function("caches.keys().then((names) => names.length === 0)", timeout=5_000)
    # Offline, the judge page is no longer there to be served.
    page.context.set_offline(True)
    with pytest.raises(PlaywrightError):
        page.goto(live_server.url + reverse("scoring:contestants", args=[competition.pk]))


def test_without_a_service_worker_the_judge_moves_between_contestants_offline(
    browser, live_server, scoring
):
    competition, seat, contestants = scoring
    context = browser.new_context(viewport=PHONE, locale="zh-CN", service_workers="block")
    try:
        page = context.new_page()
        list_path = reverse("scoring:contestants", args=[competition.pk])
        sign_in(page, live_server, "judge_wang", next_url=list_path)
        page.wait_for_url(f"**{list_path}")
        page.locator("#offline-state[data-state=no-worker]").wait_for()
        scorable = competition.contestants.filter(absent=False).count()
        assert page.inner_text("#offline-state") == (
            f"本机已保存 {scorable} 位选手的评分表，但此浏览器无法保存网页："
            "断网时请在本页内切换选手；刷新页面需要网络。"
        )

        context.set_offline(True)
        page.locator("#offline-state[data-state=reload]").wait_for()
        assert "刷新本页需要网络" in page.inner_text("#offline-state")
        # Moving between contestants draws each sheet on the phone, without a page load.
        page.evaluate("window.notReloaded = true")
        page.locator("#contestants a").nth(0).click()
        page.wait_for_url(f"**/{contestants[0].pk}/")
        fill(page, SHEETS[0])
        page.get_by_role("button", name="提交").click()
        page.locator("#sheet-state").filter(has_text="网络恢复后").wait_for()
        page.get_by_role("link", name=f"{contestants[1].secretary.name} ›").click()
        fill(page, SHEETS[1])
        page.get_by_role("button", name="保存草稿").click()
        page.locator("#sheet-state").filter(has_text="网络恢复后").wait_for()
        page.get_by_role("link", name="全部").click()
        assert "1 份待发送" in page.locator("#contestants a").nth(1).inner_text()
        assert page.evaluate("window.notReloaded") is True
        assert not ScoreSheet.objects.exists()

        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        wait_sent(page)
        sheets = {s.contestant_id: s for s in ScoreSheet.objects.filter(judge=seat)}
        assert (sheets[contestants[0].pk].status, sheets[contestants[1].pk].status) == (
            "submitted",
            "draft",
        )
        assert points_of(sheets[contestants[1].pk]) == {k: Decimal(v) for k, v in SHEETS[1].items()}
    finally:
        context.close()


def test_the_list_warns_when_the_phone_refuses_to_keep_the_competition(
    page_at, live_server, scoring
):
    competition, seat, contestants = scoring
    page = page_at()
    # A full disk: the phone refuses to store the kit (what the outbox writes still fits).
    page.add_init_script(
        """(() => {
          const setItem = Storage.prototype.setItem;
          Storage.prototype.setItem = function (key, value) {
            if (key.startsWith('leitai:kit:')) throw new DOMException('full', 'QuotaExceededError');
            return setItem.call(this, key, value);
          };
        })();"""
    )
    list_path = reverse("scoring:contestants", args=[competition.pk])
    sign_in(page, live_server, "judge_wang", next_url=list_path)
    page.wait_for_url(f"**{list_path}")
    warning = page.locator("#offline-state[data-state=refused]")
    warning.wait_for()
    assert "手机拒绝保存本场擂台赛" in warning.inner_text()
    assert page.locator("#offline-state[data-state=kept]").count() == 0


@pytest.mark.parametrize("workers", ["allow", "block"])
def test_the_list_says_which_sheets_were_typed_here_but_not_sent(
    browser, live_server, scoring, workers
):
    competition, seat, contestants = scoring
    context = browser.new_context(viewport=PHONE, locale="zh-CN", service_workers=workers)
    try:
        page = context.new_page()
        list_path = open_online(page, live_server, competition) if workers == "allow" else None
        if list_path is None:
            list_path = reverse("scoring:contestants", args=[competition.pk])
            sign_in(page, live_server, "judge_wang", next_url=list_path)
            page.wait_for_url(f"**{list_path}")
        page.locator("#contestants a").nth(0).click()
        page.wait_for_url(f"**/{contestants[0].pk}/")
        page.fill("#p-political", "18")  # typed, neither saved as a draft nor submitted
        page.get_by_role("link", name="全部").click()
        page.wait_for_url(f"**{list_path}")
        first, second = page.locator("#contestants a").nth(0), page.locator("#contestants a").nth(1)
        first.locator(".offline-note").filter(has_text="已在本机填写，尚未发送").wait_for()
        # The server has nothing yet: not "not started", but not sent.
        assert first.locator(".status").inner_text() == "未发送"
        assert second.locator(".offline-note").is_hidden()
        assert not ScoreSheet.objects.exists()
        if workers == "allow":
            screenshot(page, "judge-list-typed-not-sent")

        # Opened again, the typing is there; once sent, the note goes.
        first.click()
        assert page.input_value("#p-political") == "18"
        fill(page, SHEETS[0])
        page.get_by_role("button", name="提交").click()
        page.locator("#submitted-box").wait_for()
        wait_sent(page)
        page.goto(live_server.url + list_path)
        assert "已提交" in page.locator("#contestants a").nth(0).locator(".status").inner_text()
        assert page.locator("#contestants a").nth(0).locator(".offline-note").is_hidden()
        assert ScoreSheet.objects.get(judge=seat, contestant=contestants[0]).status == "submitted"

        # A submitted sheet changed on the phone and not sent: still submitted, and said so.
        page.locator("#contestants a").nth(0).click()
        page.fill("#p-political", "19")
        page.get_by_role("link", name="全部").click()
        page.wait_for_url(f"**{list_path}")
        first = page.locator("#contestants a").nth(0)
        first.locator(".offline-note").filter(has_text="已在本机修改，尚未发送").wait_for()
        assert "已提交" in first.locator(".status").inner_text()
    finally:
        context.close()
