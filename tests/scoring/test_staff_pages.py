"""Street staff run a competition through the pages: create, set up, open, watch, close."""

import re

import pytest
import segno
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from competition.models import Competition
from scoring.models import ScoreSheet, SheetRevision
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import TenureFactory, UserFactory
from villages import throttle

pytestmark = pytest.mark.django_db


def test_street_staff_create_set_up_and_open_a_competition(client, street_staff_carol):
    street = street_staff_carol.membership.street
    TenureFactory.create_batch(3, village__street=street)
    client.force_login(street_staff_carol)

    response = client.post(
        reverse("scoring:new"),
        {
            "street": street.pk,
            "year": 2026,
            "quarter": 4,
            "held_on": "2026-12-10",
            "venue": "党群服务中心",
            "scheme": 1,
            "optional": ["governance", "reserve"],
        },
    )
    competition = Competition.objects.get()
    assert response.url == reverse("scoring:setup", args=[competition.pk])
    assert competition.criteria.count() == 7

    client.post(reverse("scoring:add_current", args=[competition.pk]))
    client.post(reverse("scoring:order_draw", args=[competition.pk]))
    client.post(
        reverse("scoring:judge_add", args=[competition.pk]),
        {"name": "王建华", "role": "street_secretary"},
    )
    page = client.get(reverse("scoring:transition", args=[competition.pk, "open"]))
    assert "开始评分" in page.content.decode()
    client.post(reverse("scoring:transition", args=[competition.pk, "open"]))

    competition.refresh_from_db()
    assert competition.status == "scoring"
    assert sorted(competition.contestants.values_list("order", flat=True)) == [1, 2, 3]
    assert competition.judges.get().user.first_name == "王建华"
    setup = client.get(reverse("scoring:setup", args=[competition.pk])).content.decode()
    assert "评价项目已锁定" in setup


def test_the_form_to_change_the_optional_items_starts_on_what_the_competition_has(
    client, street_staff_carol
):
    street = street_staff_carol.membership.street
    client.force_login(street_staff_carol)
    new = {"street": street.pk, "year": 2026, "quarter": 4, "scheme": 1}
    client.post(reverse("scoring:new"), new | {"optional": ["governance"]})
    competition = Competition.objects.get()

    page = client.get(reverse("scoring:setup", args=[competition.pk])).content.decode()
    form = page[page.index(reverse("scoring:criteria", args=[competition.pk])) :]
    assert re.search(r'<option value="1" selected>', form), "the scheme it was made from"
    ticked = re.findall(r'name="optional" value="(\w+)"[^>]* checked', form)
    assert ticked == ["governance"]
    # Sent back as it starts, with one more item ticked: saved, the first one kept.
    client.post(
        reverse("scoring:criteria", args=[competition.pk]),
        {"scheme": 1, "optional": ["governance", "reserve"]},
    )
    optional = competition.criteria.filter(required=False).values_list("code", flat=True)
    assert sorted(optional) == ["governance", "reserve"]


def test_a_refused_action_says_why_and_changes_nothing(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    before = list(competition.contestants.values_list("pk", "order"))
    client.force_login(street_staff_carol)
    response = client.post(
        reverse("scoring:order_draw", args=[competition.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Not possible now: the competition is scoring." in response.content.decode()
    assert list(competition.contestants.values_list("pk", "order")) == before


def test_reopen_asks_for_a_reason(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    client.force_login(street_staff_carol)
    client.post(
        reverse("scoring:transition", args=[competition.pk, "close"]),
        {"confirm": "on", "reason": "评委未到"},  # nothing is scored: closing needs a reason
    )
    response = client.post(
        reverse("scoring:transition", args=[competition.pk, "reopen"]), {"reason": ""}
    )
    assert response.status_code == 200 and response.context["form"].errors
    competition.refresh_from_db()
    assert competition.status == "closed"
    client.post(
        reverse("scoring:transition", args=[competition.pk, "reopen"]), {"reason": "漏评一人"}
    )
    competition.refresh_from_db()
    assert competition.status == "scoring"
    assert competition.events.get(kind="reopened").note == "漏评一人"


def test_paper_entry_is_saved_as_the_judges_sheet_entered_by_staff(client, street_staff_carol):
    judge = UserFactory(first_name="李红梅")
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=[judge]
    )
    seat = competition.judges.get()
    contestant = competition.contestants.order_by("order").first()
    client.force_login(street_staff_carol)
    url = reverse("scoring:entry", args=[competition.pk, seat.pk, contestant.pk])
    assert "李红梅" in client.get(url).content.decode()

    data = {f"p-{k}": v for k, v in full_points(competition).items()}
    response = client.post(url, data | {"version": "1", "action": "submit"})

    assert response.url == reverse("scoring:board", args=[competition.pk])
    sheet = ScoreSheet.objects.get()
    assert (sheet.judge, sheet.entered_by, sheet.status) == (seat, street_staff_carol, "submitted")


def test_sheet_history_shows_who_changed_what(client, street_staff_carol):
    judge = UserFactory(first_name="李红梅")
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=[judge]
    )
    seat = competition.judges.get()
    contestant = competition.contestants.first()
    for version, fraction in ((1, 0.8), (2, 0.9)):
        save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition, fraction),
            version=version,
            submit=True,
            by=judge,
        )
    client.force_login(street_staff_carol)
    sheet = ScoreSheet.objects.get()
    page = client.get(reverse("scoring:history", args=[competition.pk, sheet.pk])).content.decode()
    assert SheetRevision.objects.filter(sheet=sheet).count() == 2
    assert "个人政治表现 16.00" in page and "个人政治表现 18.00" in page
    assert "political" not in page and "submitted" not in page and "已提交" in page
    assert page.count("李红梅") >= 2


def test_paper_sheets_print_one_page_per_judge_with_a_signature_line(client, street_staff_carol):
    judges = [UserFactory(first_name=name) for name in ("王建华", "李红梅")]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=judges
    )
    client.force_login(street_staff_carol)
    page = client.get(reverse("scoring:paper", args=[competition.pk])).content.decode()
    assert page.count('class="paper-sheet"') == 2
    assert page.count("评委签字") == 2
    assert "王建华" in page and "李红梅" in page


def test_sign_in_cards_print_a_qr_code_for_each_judge(client, street_staff_carol):
    judges = [UserFactory(first_name=name) for name in ("王建华", "李红梅")]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=judges
    )
    client.force_login(street_staff_carol)
    page = client.post(reverse("competition:cards", args=[competition.pk])).content.decode()
    assert page.count("<svg") == 2
    urls = re.findall(r"http://testserver/card/[\w-]+/", page)
    assert len(set(urls)) == 2
    for url in urls:  # each QR code encodes exactly its card's link
        assert segno.make(url, error="m").svg_inline(scale=4, border=2) in page
    client.logout()

    confirm = client.get(urls[0])
    assert "签到并开始评分" in confirm.content.decode()
    response = client.post(urls[0])
    assert response.url == reverse("scoring:contestants", args=[competition.pk])
    again = client.post(urls[0])
    assert again.status_code == 404
    assert "这张签到卡不能使用" in again.content.decode()


def _card_reason(response) -> str:
    return re.search(r'data-reason="(\w+)"', response.content.decode()).group(1)


def test_a_valid_card_signs_in_after_fifty_wrong_links_from_its_address(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    from competition import services as competition_services

    [(_judge, token)] = competition_services.issue_cards(
        competition=competition, by=street_staff_carol
    )
    wrong = [client.get(reverse("competition:card", args=[f"guess{n}"])) for n in range(50)]
    assert {(r.status_code, _card_reason(r)) for r in wrong} == {(404, "unknown")}
    signed_in = client.post(reverse("competition:card", args=[token]))
    assert signed_in.url == reverse("scoring:contestants", args=[competition.pk])
    assert client.session["_auth_user_id"] == str(_judge.user_id)


def test_taps_of_a_used_card_say_already_used_and_are_not_counted_as_guesses(
    client, street_staff_carol
):
    judges = [UserFactory(first_name=name) for name in ("王建华", "李红梅")]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=judges
    )
    from competition import services as competition_services

    (_first, used), (second, valid) = competition_services.issue_cards(
        competition=competition, by=street_staff_carol
    )
    client.post(reverse("competition:card", args=[used]))
    client.logout()
    taps = [client.post(reverse("competition:card", args=[used])) for _n in range(20)]
    assert {(r.status_code, _card_reason(r)) for r in taps} == {(404, "used")}
    assert "已经签到过一次" in taps[-1].content.decode()
    assert "_auth_user_id" not in client.session
    assert cache.get("guess:card:127.0.0.1") is None  # not one counted
    signed_in = client.post(reverse("competition:card", args=[valid]))
    assert signed_in.url == reverse("scoring:contestants", args=[competition.pk])
    assert client.session["_auth_user_id"] == str(second.user_id)


def test_a_card_unused_at_the_first_close_stays_refused_after_a_reopen(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    from competition import services as competition_services
    from scoring.results.services import close_scoring

    [(judge, token)] = competition_services.issue_cards(
        competition=competition, by=street_staff_carol
    )
    close_scoring(competition=competition, by=street_staff_carol, reason="评委未到场")
    competition_services.transition(
        competition=competition, action="reopen", by=street_staff_carol, reason="补录评分"
    )

    url = reverse("competition:card", args=[token])
    refused = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert (refused.status_code, _card_reason(refused)) == (404, "ended")
    page = " ".join(refused.content.decode().split())
    assert "This card stopped working when scoring closed" in page
    assert "ask the street staff for a new card" in page
    assert "_auth_user_id" not in client.session
    assert judge.cards.get().used_at is None
    assert "评分结束时失效" in client.get(url).content.decode()

    # A card printed after the reopen signs in.
    [(_judge, fresh)] = competition_services.issue_cards(
        competition=competition, by=street_staff_carol
    )
    signed_in = client.post(reverse("competition:card", args=[fresh]))
    assert signed_in.url == reverse("scoring:contestants", args=[competition.pk])
    assert client.session["_auth_user_id"] == str(judge.user_id)


def test_past_the_limit_wrong_links_are_told_to_wait_and_a_valid_card_still_signs_in(
    client, street_staff_carol
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    from competition import services as competition_services

    [(judge, token)] = competition_services.issue_cards(
        competition=competition, by=street_staff_carol
    )
    for n in range(throttle.LIMIT):
        assert client.get(reverse("competition:card", args=[f"guess{n}"])).status_code == 404
    slowed = client.get(
        reverse("competition:card", args=["guess-again"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (slowed.status_code, _card_reason(slowed)) == (429, "limit")
    assert slowed["Retry-After"] == str(throttle.WINDOW)
    page = " ".join(slowed.content.decode().split())
    assert f"for up to {throttle.MINUTES} minutes, wrong links get only this page" in page
    assert "A valid card still signs in at any time" in page
    assert cache.get("guess:card:127.0.0.1") == throttle.LIMIT
    confirm = client.get(reverse("competition:card", args=[token]))
    assert "签到并开始评分" in confirm.content.decode()
    signed_in = client.post(reverse("competition:card", args=[token]))
    assert signed_in.url == reverse("scoring:contestants", args=[competition.pk])
    assert client.session["_auth_user_id"] == str(judge.user_id)


def test_the_new_competition_form_opens_on_a_quarter_the_street_can_still_hold(
    client, street_staff_carol
):
    street = street_staff_carol.membership.street
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    Competition.objects.create(district=street.district, street=street, year=year, quarter=quarter)
    client.force_login(street_staff_carol)
    form = client.get(reverse("scoring:new")).context["form"]
    following = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    assert (form["year"].initial, form["quarter"].initial) == following
    assert [label for _, label in form.fields["quarter"].choices] == [
        "第1季度",
        "第2季度",
        "第3季度",
        "第4季度",
    ]


def test_the_log_names_the_creation_as_an_event_not_a_date(client, street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )
    client.force_login(street_staff_carol)
    page = client.get(reverse("scoring:setup", args=[competition.pk])).content.decode()
    assert " · 创建 · " in page and "创建时间" not in page
