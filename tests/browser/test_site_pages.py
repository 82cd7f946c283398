"""The site in a real browser: Chinese by default, a phone-width layout, the language switch."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, screenshot
from tests.factories import PASSWORD, TenureFactory
from tests.villages.rosterfiles import row, write

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_street_staff_sign_in_on_a_phone_and_see_their_villages(
    page_at, live_server, street_staff_carol
):
    street = street_staff_carol.membership.street
    tenures = TenureFactory.create_batch(3, village__street=street)
    page = page_at()

    page.goto(live_server.url + reverse("home"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", name="村党组织书记擂台赛").is_visible()
    screenshot(page, "home-phone")
    page.get_by_role("link", name="登录").last.click()

    page.get_by_label("用户名").fill("carol")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(live_server.url + reverse("home"))
    assert "您是" in page.locator(".role-greeting").inner_text()
    rows = page.locator("#villages tbody tr")
    assert rows.count() == 3
    assert tenures[0].secretary.name in rows.first.inner_text()
    assert fits_width(page)
    screenshot(page, "street-staff-home-phone")


def test_language_switch_from_the_collapsed_phone_menu(page_at, live_server):
    page = page_at()
    page.goto(live_server.url + reverse("home"))
    # The menu is collapsed at 360 px: Bootstrap's script, served locally, opens it.
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("button", name="English").click()

    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("heading", name="Ring competition of village Party secretaries")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="中文").click()
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.get_by_role("heading", name="村党组织书记擂台赛").is_visible()


def test_admin_previews_and_imports_a_roster(page_at, live_server, admin_alice, tmp_path):
    from villages.models import Village

    path = write(
        tmp_path / "roster.xlsx",
        [
            row(),
            row(village_code="370703003002", village="东村", secretary="王勇", phone="13800000002"),
        ],
    )
    page = page_at(DESKTOP)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(live_server.url + reverse("admin:villages_village_changelist"))
    page.get_by_role("link", name="导入名册").click()

    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="预览").click()
    changes = page.locator("table.roster-changes tbody tr")
    expect(changes).to_have_count(8)  # district, street, 2 villages, 2 secretaries, 2 tenures
    screenshot(page, "admin-roster-preview")
    assert not Village.objects.exists()

    page.get_by_role("button", name="确认导入这些改动").click()
    page.wait_for_url("**/admin/villages/village/")
    assert page.locator("#result_list tbody tr").count() == 2
    assert set(Village.objects.values_list("name", flat=True)) == {"杜家庄子村", "东村"}
    screenshot(page, "admin-villages")


def test_a_refused_request_is_a_page_of_ours_on_a_phone(page_at, live_server, street_staff_carol):
    page = page_at()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("用户名").fill("carol")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + reverse("home"))

    response = page.goto(live_server.url + "/search/?q=%00")
    assert response.status == 400
    assert page.get_by_role("heading", name="请求被拒绝").is_visible()
    assert page.get_by_role("link", name="返回首页").is_visible()
    assert fits_width(page)
    screenshot(page, "refused-phone")

    english = page_at(language="en-US")
    response = english.goto(live_server.url + "/no/such/page/")
    assert response.status == 404
    assert english.locator("html").get_attribute("lang") == "en"
    assert english.get_by_role("heading", name="Page not found").is_visible()
    assert fits_width(english)
    screenshot(english, "not-found-phone")
