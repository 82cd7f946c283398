"""Closing and publishing check completeness (DESIGN.md "Lifecycle"): closing shows what is
missing and then needs a written reason; publishing refuses a contestant with no counting sheet."""

import pytest
from django.urls import reverse
from django.utils import translation

from competition import services as competition_services
from competition.models import Event
from competition.services import ActionRefused
from scoring.models import BallotToken, PaperTally, Publication
from scoring.results import document as results
from scoring.results import queries
from scoring.results.services import close_scoring, publish_competition
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_scored(street_staff_carol):
    """Three contestants, three counting judges and an observer; judge 2 is recused from the
    third contestant. Judge 0 submits for everyone, judge 1 submits the first and leaves a draft
    for the second; the observer submits the first."""
    judges = [UserFactory(first_name=f"评委{i}") for i in range(4)]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=judges,
        optional=(),
    )
    seats = list(competition.judges.order_by("pk"))
    seats[3].role = "observer"
    seats[3].save()
    first, second, third = competition.contestants.order_by("order")
    competition_services.set_recusals(judge=seats[2], contestants=[third], by=street_staff_carol)
    points = full_points(competition)

    def sheet(seat, contestant, submit=True):
        save_sheet(
            judge=seat, contestant=contestant, points=points, version=1, submit=submit, by=seat.user
        )

    for contestant in (first, second, third):
        sheet(seats[0], contestant)
    sheet(seats[1], first)
    sheet(seats[1], second, submit=False)
    sheet(seats[3], first)
    return competition


def report_of(competition):
    return queries.completeness(competition, queries.policy_of(competition))


def test_completeness_counts_counting_sheets_against_expected_per_contestant(half_scored):
    first, second, third = half_scored.contestants.order_by("order")
    BallotToken.objects.create(contestant=second, token_hash="a" * 64)
    BallotToken.objects.create(contestant=second, token_hash="b" * 64, used=True)
    PaperTally.objects.create(
        contestant=third,
        representatives_due=30,
        representatives_present=25,
        ballots_issued=25,
        ballots_returned=25,
        excellent=20,
        competent=5,
        basic=0,
        incompetent=0,
        entered_by=UserFactory(),
    )

    report = report_of(half_scored)

    assert [
        (r.contestant, r.submitted, r.expected, r.drafts, r.tally_unconfirmed, r.tokens_unused)
        for r in report.rows
    ] == [
        (first, 2, 3, 0, False, 0),  # the observer's sheet does not count
        (second, 1, 3, 1, False, 1),
        (third, 1, 2, 0, True, 0),  # judge 2 is recused
    ]
    assert not report.complete
    assert report.totals == {
        "expected": 8,
        "submitted": 4,
        "missing": 4,
        "drafts": 1,
        "below_minimum": 0,  # a panel of three is never trimmed
        "tally_unconfirmed": 1,
        "tally_void": 0,
        "tokens_unused": 1,
    }


def test_closing_with_sheets_missing_needs_a_reason_and_changes_nothing_without_one(
    half_scored, street_staff_carol
):
    with pytest.raises(ActionRefused) as refused:
        close_scoring(competition=half_scored, by=street_staff_carol, reason="  ")
    assert "（4 份评分表未提交；1 份草稿未提交）" in str(refused.value)
    half_scored.refresh_from_db()
    assert half_scored.status == "scoring"
    assert not half_scored.events.filter(kind=Event.Kind.CLOSED).exists()


def test_closing_anyway_records_what_was_missing_and_why(half_scored, street_staff_carol):
    close_scoring(competition=half_scored, by=street_staff_carol, reason="评委二因病离场")

    half_scored.refresh_from_db()
    assert half_scored.status == "closed"
    closed = half_scored.events.get(kind=Event.Kind.CLOSED)
    assert closed.text == "4 份评分表未提交；1 份草稿未提交 · 评委二因病离场"
    # The counts are kept as figures, and read in the reader's language.
    with translation.override("en"):
        assert closed.text == "4 sheets not in; 1 draft not submitted · 评委二因病离场"


def test_a_complete_competition_closes_without_a_reason(street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, contestants=2
    )
    seat = competition.judges.get()
    for contestant in competition.contestants.all():
        save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition),
            version=1,
            submit=True,
            by=seat.user,
        )
    assert report_of(competition).complete

    close_scoring(competition=competition, by=street_staff_carol)

    competition.refresh_from_db()
    assert competition.status == "closed"
    assert competition.events.get(kind=Event.Kind.CLOSED).note == ""


def test_a_confirmed_tally_that_does_not_count_is_said_before_the_close_and_needs_a_reason(
    client, street_staff_carol
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, contestants=2
    )
    seat = competition.judges.get()
    first, second = competition.contestants.order_by("order")
    for contestant in (first, second):
        save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition),
            version=1,
            submit=True,
            by=seat.user,
        )
    # 20 of 30 representatives: not more than two thirds, so the meeting's vote does not count.
    tally = PaperTally.objects.create(
        contestant=second,
        representatives_due=30,
        representatives_present=20,
        ballots_issued=20,
        ballots_returned=20,
        excellent=20,
        competent=0,
        basic=0,
        incompetent=0,
        entered_by=UserFactory(),
        confirmed_by=UserFactory(),
    )

    report = report_of(competition)
    assert [(r.contestant, r.tally_void) for r in report.gaps] == [(second, True)]
    assert report.totals["tally_void"] == 1
    client.force_login(street_staff_carol)
    page = client.get(reverse("scoring:transition", args=[competition.pk, "close"])).content
    page = page.decode()
    assert "1 份已确认的纸质计票不计入（到会代表不超过三分之二，或收回票数多于发出票数）" in page
    assert '<td class="text-nowrap">不计入</td>' in page
    with pytest.raises(ActionRefused) as refused:
        close_scoring(competition=competition, by=street_staff_carol, reason="")
    assert "（1 份纸质计票不计入）" in str(refused.value)
    competition.refresh_from_db()
    assert competition.status == "scoring"

    tally.representatives_present = tally.ballots_issued = tally.ballots_returned = 21
    tally.excellent = 21
    tally.save()
    assert report_of(competition).complete
    close_scoring(competition=competition, by=street_staff_carol)
    competition.refresh_from_db()
    assert competition.status == "closed"


def test_a_panel_big_enough_to_trim_flags_contestants_below_the_minimum(street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        contestants=1,
        judges=[UserFactory() for _ in range(5)],
    )
    contestant = competition.contestants.get()
    for seat in list(competition.judges.order_by("pk"))[:4]:
        save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition),
            version=1,
            submit=True,
            by=seat.user,
        )

    (row,) = report_of(competition).rows
    assert (row.submitted, row.expected, row.below_minimum) == (4, 5, True)


def test_the_close_page_lists_what_is_missing_and_asks_for_a_confirmation_and_reason(
    client, half_scored, street_staff_carol
):
    client.force_login(street_staff_carol)
    url = reverse("scoring:transition", args=[half_scored.pk, "close"])

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Counting sheets submitted: 4 of 8." in page
    assert "4 counting sheets not submitted" in page
    assert "1 draft saved but not submitted" in page
    assert "1 / 3" in page and "2 / 3" in page and "1 / 2" in page

    refused = client.post(url, {"reason": "评委二因病离场"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Confirm that you close scoring with something missing." in refused.content.decode()
    half_scored.refresh_from_db()
    assert half_scored.status == "scoring"

    client.post(url, {"reason": "评委二因病离场", "confirm": "on"})
    half_scored.refresh_from_db()
    assert half_scored.status == "closed"
    assert half_scored.events.get(kind=Event.Kind.CLOSED).note == "评委二因病离场"


def test_the_close_page_in_chinese(client, half_scored, street_staff_carol):
    client.force_login(street_staff_carol)
    page = client.get(reverse("scoring:transition", args=[half_scored.pk, "close"])).content
    assert "已提交的计分评分表：4 / 8。" in page.decode()


def test_publish_refuses_a_contestant_with_no_counting_sheet_until_marked_absent(
    street_staff_carol,
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, contestants=2
    )
    seat = competition.judges.get()
    scored, unscored = competition.contestants.order_by("order")
    save_sheet(
        judge=seat,
        contestant=scored,
        points=full_points(competition),
        version=1,
        submit=True,
        by=seat.user,
    )
    close_scoring(competition=competition, by=street_staff_carol, reason="一人未到")

    with pytest.raises(ActionRefused) as refused:
        publish_competition(competition=competition, by=street_staff_carol)
    assert unscored.secretary.name in str(refused.value)
    competition.refresh_from_db()
    assert competition.status == "closed"
    assert not Publication.objects.filter(competition=competition).exists()

    competition_services.set_absent(contestant=unscored, absent=True, by=street_staff_carol)
    publish_competition(competition=competition, by=street_staff_carol)
    document = competition.publications.get().document
    assert [r["secretary"] for r in document["contestants"]] == [scored.secretary.name]


def test_after_the_close_a_scored_contestant_cannot_be_marked_absent(street_staff_carol):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, contestants=2
    )
    seat = competition.judges.get()
    scored, unscored = competition.contestants.order_by("order")
    save_sheet(
        judge=seat,
        contestant=scored,
        points=full_points(competition),
        version=1,
        submit=True,
        by=seat.user,
    )
    close_scoring(competition=competition, by=street_staff_carol, reason="一人未到")
    with pytest.raises(ActionRefused) as refused:
        competition_services.set_absent(contestant=scored, absent=True, by=street_staff_carol)
    assert "重新开放评分" in str(refused.value)
    scored.refresh_from_db()
    assert not scored.absent
    competition_services.set_absent(
        contestant=unscored, absent=True, by=street_staff_carol
    )  # never scored
    unscored.refresh_from_db()
    assert unscored.absent


def test_a_contestant_only_the_observer_scored_is_named_before_publishing_and_can_be_absent(
    client, street_staff_carol
):
    judges = [UserFactory(first_name="评委甲"), UserFactory(first_name="观察员乙")]
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=judges,
        contestants=2,
    )
    judge, observer = competition.judges.order_by("pk")
    observer.role = "observer"
    observer.save()
    scored, watched = competition.contestants.order_by("order")
    points = full_points(competition)
    for seat, contestant in ((judge, scored), (observer, scored), (observer, watched)):
        save_sheet(
            judge=seat, contestant=contestant, points=points, version=1, submit=True, by=seat.user
        )
    client.force_login(street_staff_carol)
    close_page = client.get(reverse("scoring:transition", args=[competition.pk, "close"]))
    assert (
        "1 名参赛者没有计分的评分表：评分或标记缺席之前，结果不能公布"
        in close_page.content.decode()
    )
    close_scoring(competition=competition, by=street_staff_carol, reason="一人未评")

    # The publish page says so before the tap, and offers no button that would be refused.
    page = client.get(reverse("scoring:transition", args=[competition.pk, "publish"]))
    text = page.content.decode()
    assert f"{watched.secretary.name}（{watched.village.name}） 没有计分的评分表" in text
    assert "确认：公布结果" not in text
    # The observer's sheet counts for nothing, so it does not stop the absence either.
    competition_services.set_absent(contestant=watched, absent=True, by=street_staff_carol)
    page = client.get(reverse("scoring:transition", args=[competition.pk, "publish"]))
    assert "确认：公布结果" in page.content.decode()
    publish_competition(competition=competition, by=street_staff_carol)
    document = competition.publications.get().document
    assert [r["secretary"] for r in document["contestants"]] == [scored.secretary.name]


def test_results_and_notice_mark_a_panel_score_on_fewer_sheets_than_expected(
    client, half_scored, street_staff_carol
):
    first, second, third = half_scored.contestants.order_by("order")
    competition_services.set_absent(contestant=second, absent=True, by=street_staff_carol)
    close_scoring(competition=half_scored, by=street_staff_carol, reason="评委二因病离场")
    publication = publish_competition(competition=half_scored, by=street_staff_carol)

    rows = {r["secretary"]: r for r in publication.document["contestants"]}
    assert (
        rows[first.secretary.name]["sheets_counted"],
        rows[first.secretary.name]["sheets_expected"],
    ) == (2, 3)
    assert {"code": "few_sheets", "counted": 2, "expected": 3} in rows[first.secretary.name][
        "reasons"
    ]
    assert {"code": "few_sheets", "counted": 1, "expected": 2} in rows[third.secretary.name][
        "reasons"
    ]

    client.force_login(street_staff_carol)
    english = client.get(
        reverse("scoring:results", args=[half_scored.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "The panel score rests on 2 of the 3 sheets expected." in english
    chinese = client.get(reverse("scoring:results", args=[half_scored.pk])).content.decode()
    assert "评委得分仅基于应有 3 份中的 2 份评分表。" in chinese
    notice = client.get(
        reverse("notice:printed", args=[half_scored.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    # On the notice, beneath each row concerned.
    assert "The panel score rests on 2 of the 3 sheets expected." in notice
    assert "The panel score rests on 1 of the 2 sheets expected." in notice


def test_a_withdrawn_judge_is_no_longer_expected_and_their_sheets_do_not_count(
    half_scored, street_staff_carol
):
    seats = list(half_scored.judges.order_by("pk"))
    competition_services.withdraw_judge(judge=seats[1], reason="临时有公务", by=street_staff_carol)

    report = report_of(half_scored)

    # Judge 1's submitted sheet for the first contestant and draft for the second drop out.
    assert [(r.submitted, r.expected, r.drafts) for r in report.rows] == [
        (1, 2, 0),
        (1, 2, 0),
        (1, 1, 0),
    ]
    close_scoring(competition=half_scored, by=street_staff_carol, reason="评委二已退出")
    rows = results.build_document(half_scored)["contestants"]
    assert sorted((r["sheets_counted"], r["sheets_expected"]) for r in rows) == [
        (1, 1),
        (1, 2),
        (1, 2),
    ]
