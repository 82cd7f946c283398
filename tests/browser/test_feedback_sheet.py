"""A feedback sheet (反馈单) as printed on A4 and as read on a phone."""

import re

import pytest
from django.urls import reverse

from tests.browser.conftest import PHONE, screenshot
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.scoring.test_feedback import JUDGE_NAMES, run_competition

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)

A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 px an inch
SAID = (
    "述职条理清楚，村集体经济增收思路明确，重点任务推进有力。",
    "建议加快后备干部培养，把年轻党员放到项目一线锻炼。",
    "村务公开还不够及时，群众反映的道路问题要限期整改。",
)


def sign_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + reverse("home"))


def test_a_feedback_sheet_prints_on_a4_and_reads_on_a_phone(
    page_at, live_server, street, other_street, street_staff_carol
):
    run_competition(street, street_staff_carol, judges=[UserFactory()], contestants=3, quarter=3)
    judges = [UserFactory(first_name=name) for name in JUDGE_NAMES]
    current = run_competition(
        street, street_staff_carol, judges=judges, contestants=0, comments=True, say=SAID
    )
    other_staff = MembershipFactory(
        role="street_staff", district=other_street.district, street=other_street
    ).user
    run_competition(other_street, other_staff, judges=[UserFactory()] * 1, contestants=4)
    first = current.contestants.get(order=1)

    page = page_at(A4)
    sign_in(page, live_server, "carol")
    page.emulate_media(media="print")
    page.goto(live_server.url + reverse("scoring:feedback", args=[current.pk, first.pk]))
    assert page.locator("nav.navbar").is_hidden()
    bars = page.locator(f"#feedback-{first.pk} svg rect.bar-own")
    assert bars.count() == 6  # the legend's and five criteria's
    assert page.locator(f"#feedback-{first.pk} svg").bounding_box()["width"] > 250
    screenshot(page, "feedback-sheet")

    # Printing them all: one A4 page per secretary.
    page.goto(live_server.url + reverse("scoring:feedback_all", args=[current.pk]))
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == current.contestants.count()

    phone = page_at(PHONE)
    sign_in(phone, live_server, "carol")
    phone.goto(live_server.url + reverse("scoring:feedback", args=[current.pk, first.pk]))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.locator(".feedback-comment").count() == 3
    screenshot(phone, "feedback-sheet-phone")
