"""A villager's phone on the public notice, at 360 px: the ranking, the objection form, the
document downloaded and checked on the verify page. And the printed notice's QR code."""

import pytest
from django.urls import reverse

from competition import services as competition_services
from notice.models import Objection
from scoring.models import ScoreSheet
from scoring.results.services import publish_competition
from scoring.sheets.services import save_sheet
from tests.browser.conftest import PHONE, screenshot
from tests.competition_setup import competition_in_scoring
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(street_staff_carol):
    judges = [UserFactory(first_name=f"评委{i}") for i in range(5)]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=judges,
        contestants=8,
        optional=(),
    )
    for n, contestant in enumerate(competition.contestants.order_by("order")):
        for seat in competition.judges.order_by("pk"):
            points = {c.code: str(19 - n - seat.pk % 3) for c in competition.criteria.all()}
            save_sheet(
                judge=seat,
                contestant=contestant,
                points=points,
                version=1,
                submit=True,
                by=seat.user,
            )
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    # A long village name and secretary's name, as real ones can be.
    first = competition.contestants.select_related("village", "secretary").get(order=1)
    first.village.name = "红旗岭东沟经济合作村"
    first.village.save()
    first.secretary.name = "欧阳明月华"
    first.secretary.save()
    # One sheet lost on paper: the notice says so beneath that contestant's row.
    ScoreSheet.objects.filter(contestant__order=1).first().delete()
    publish_competition(competition=competition, by=street_staff_carol)
    return competition


def test_a_villager_reads_the_notice_lodges_an_objection_and_checks_the_document(
    page_at, live_server, published
):
    phone = page_at(PHONE)
    phone.goto(live_server.url + reverse("notice:public", args=[published.pk]))
    assert phone.locator("#ranking tbody tr:not(.grade-reason)").count() == 8
    assert "评委得分仅基于应有 5 份中的 4 份评分表。" in phone.locator("#ranking").inner_text()
    # No sideways scroll, and the grade column is on screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    grade = phone.locator("#ranking thead th").last.bounding_box()
    assert grade["x"] + grade["width"] <= 360
    screenshot(phone, "public-notice-360")

    phone.get_by_text("在此提出异议").click()
    phone.select_option("#lodge-village", index=2)
    phone.fill("#lodge-name", "张三")
    phone.fill("#lodge-phone", "13800000000")
    phone.fill("#lodge-text", "该村民主测评票数与实际不符。")
    phone.locator("#lodge button[type=submit]").click()
    code = phone.locator("#objection-code").inner_text()
    assert Objection.objects.get().code == code

    with phone.expect_download() as download:
        phone.goto(live_server.url + reverse("notice:public", args=[published.pk]))
        phone.get_by_text("下载文档（JSON）").click()
    path = download.value.path()
    phone.goto(live_server.url + reverse("notice:verify"))
    phone.set_input_files("#verify-file", path)
    phone.locator("#verify button[type=submit]").click()
    assert "第 1 版" in phone.locator("#match").inner_text()
    assert phone.locator("#latest").is_visible()
    screenshot(phone, "notice-verify")
    assert phone.csp == [] and phone.outside == []


def test_the_english_notice_fits_a_phone_with_its_grade_column_in_view(
    page_at, live_server, published
):
    phone = page_at(PHONE, language="en-US")
    phone.goto(live_server.url + reverse("notice:public", args=[published.pk]))
    assert phone.locator("#ranking thead th").last.inner_text() == "Grade"
    frame = phone.evaluate(
        "(t => [t.scrollWidth, t.parentElement.clientWidth])(document.querySelector('#ranking'))"
    )
    assert frame[0] <= frame[1], frame  # the table needs no sideways scroll in its frame
    for cell in phone.locator("#ranking thead th, #ranking tbody td").all():
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= 360, cell.inner_text()


def test_the_printed_notice_carries_a_qr_code_of_the_public_page(
    page_at, live_server, published, street_staff_carol
):
    page = page_at(PHONE)
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", street_staff_carol.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(live_server.url + reverse("notice:printed", args=[published.pk]))
    assert page.locator(".notice-qr .qr svg path").count() == 1
    shown = page.locator(".notice-qr code").first.inner_text()
    assert shown == live_server.url + reverse("notice:public", args=[published.pk])
