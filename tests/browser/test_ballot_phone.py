"""A villager representative scans a slip and rates once, on a 360 px phone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from scoring.models import Ballot, BallotToken
from tests.browser.conftest import DESKTOP, screenshot
from tests.competition_setup import competition_in_scoring
from tests.factories import PASSWORD

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_representative_scans_a_slip_and_rates_once(page_at, live_server, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    staff = page_at(DESKTOP)
    staff.goto(live_server.url + reverse("login"))
    staff.get_by_label("用户名").fill("carol")
    staff.get_by_label("密码").fill(PASSWORD)
    staff.get_by_role("button", name="登录").click()
    staff.goto(live_server.url + reverse("scoring:democratic", args=[competition.pk]))
    staff.fill("#per", "2")
    staff.get_by_role("button", name="发放并打印评议票").click()
    slips = staff.locator(".slip")
    expect(slips).to_have_count(6)  # waits for the printed page to load
    # The QR codes are drawn: an SVG with dark modules in each slip.
    assert staff.locator(".slip .qr svg path").count() == 6
    screenshot(staff, "ballot-slips")
    code = slips.first.locator(".slip-code").inner_text().replace("-", "")
    assert re.fullmatch(r"[A-Z2-7]{26}", code)
    secretary = slips.first.locator(".fw-bold").nth(1).inner_text()

    # The slip's QR link: the code after "#", which the browser never sends to the server.
    phone = page_at()
    requested = []
    phone.on("request", lambda request: requested.append(request.url))
    phone.goto(f"{live_server.url}{reverse('scoring:ballot')}#{code}")
    phone.get_by_role("button", name="提交评议").wait_for()
    assert phone.get_by_text(secretary).first.is_visible()
    screenshot(phone, "ballot-phone")
    phone.get_by_label("称职", exact=True).check()
    phone.get_by_role("button", name="提交评议").click()
    assert phone.locator("#chosen").inner_text() == "称职"
    screenshot(phone, "ballot-confirm")
    phone.get_by_role("button", name="确认提交").click()
    phone.wait_for_url("**/ballot/thanks/")
    screenshot(phone, "ballot-thanks")
    assert all(code not in url for url in requested)

    assert list(Ballot.objects.values_list("choice", flat=True)) == ["competent"]
    assert BallotToken.objects.filter(used=True).count() == 1

    # The same slip again: refused, and nothing more is stored.
    phone.goto(f"{live_server.url}{reverse('scoring:ballot')}#{code}")
    phone.locator(".ballot-refused[data-reason=used]").wait_for()
    assert Ballot.objects.count() == 1
