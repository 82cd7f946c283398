"""The admin in Chinese where Django and django-axes bring no Chinese of their own."""

import pytest
from django.urls import reverse

from tests.browser.conftest import DESKTOP, screenshot
from tests.competition_setup import competition_in_scoring
from tests.factories import PASSWORD, UserFactory

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_admin_recusal_picker_and_sign_in_lockouts_speak_chinese(
    page_at, live_server, admin_alice, street_staff_carol
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[UserFactory(first_name="王建华")],
        open_it=False,  # the panel is edited in draft; from scoring on it is read-only here
    )
    page = page_at(DESKTOP)
    sign_in(page, live_server)
    index = page.locator("#content-main").inner_text()
    assert "登录锁定" in index and "登录尝试记录" in index and "Access" not in index

    judge = competition.judges.get()
    page.goto(live_server.url + reverse("admin:competition_judge_change", args=[judge.pk]))
    picker = page.locator(".selector")
    picker.wait_for()
    text = picker.inner_text()
    assert "选择全部" in text and "Choose all" not in text
    help_text = page.locator(".selector-available .helptext, .selector-available-title .helptext")
    assert "选中要添加的" in help_text.first.inner_text()
    screenshot(page, "admin-recusal-picker")
