"""The half-year review (半年观摩点评): its creation, and the observation points district staff
choose for it — visiting order, a date within the half, only in draft, only district staff."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from competition import services as competition_services
from competition.models import Competition, Contestant, Event, Judge, ObservationPoint
from competition.services import ActionRefused
from scoring.models import GradingPolicy
from scoring.setup.services import create_review, open_scoring
from tests.competition_setup import competition_in_scoring, default_scheme
from tests.factories import MembershipFactory, StreetFactory, TenureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(district_dan) -> Competition:
    district = district_dan.membership.district
    return create_review(
        district=district,
        year=2026,
        half=1,
        scheme=default_scheme(),
        optional_codes=[],
        by=district_dan,
    )


@pytest.fixture
def villages(street, other_street):
    """Three villages of the district, each with its secretary now."""
    return [
        TenureFactory(village__street=street).village,
        TenureFactory(village__street=other_street).village,
        TenureFactory(village__street=street).village,
    ]


def add(review, village, by, day=dt.date(2026, 5, 20), note=""):
    return competition_services.add_observation_point(
        competition=review, village=village, visit_on=day, note=note, by=by
    )


def points_of(review) -> list[tuple[int, str, int | None]]:
    """(visiting order, village code, the contestant's speaking order), in visiting order."""
    return [
        (p.order, p.village.code, p.contestant.order)
        for p in review.observation_points.select_related("village", "contestant")
    ]


def snapshot() -> tuple:
    return (
        list(Competition.objects.order_by("pk").values_list("pk", "status", "level", "quarter")),
        list(ObservationPoint.objects.order_by("pk").values_list("pk", "order", "visit_on")),
        list(Contestant.objects.order_by("pk").values_list("pk", "order")),
        Event.objects.count(),
    )


# ---- The review competition ----


def test_create_review_makes_a_district_competition_in_the_half_last_quarter(review, district_dan):
    assert (review.level, review.street, review.year, review.quarter, review.half) == (
        "review",
        None,
        2026,
        2,
        1,
    )
    assert review.status == Competition.Status.DRAFT
    assert review.criteria.filter(required=True).count() == 5
    assert GradingPolicy.objects.filter(competition=review).exists()
    assert review.events.get().kind == Event.Kind.CREATED
    with translation.override("zh-hans"):
        assert review.title == f"{district_dan.membership.district.name} 2026年上半年观摩点评"
    with translation.override("en"):
        assert review.title.endswith("2026 H1 half-year review")


def test_create_review_refuses_a_second_review_of_the_half(review, district_dan):
    before = snapshot()
    with pytest.raises(ActionRefused, match="已"), translation.override("zh-hans"):
        create_review(
            district=review.district,
            year=2026,
            half=1,
            scheme=default_scheme(),
            optional_codes=[],
            by=district_dan,
        )
    assert snapshot() == before


@pytest.mark.parametrize(("year", "half"), [(2026, 3), (2026, 0), (1999, 1)])
def test_create_review_refuses_a_half_that_cannot_be(district_dan, year, half):
    before = snapshot()
    with pytest.raises(ActionRefused):
        create_review(
            district=district_dan.membership.district,
            year=year,
            half=half,
            scheme=default_scheme(),
            optional_codes=[],
            by=district_dan,
        )
    assert snapshot() == before


def test_the_database_keeps_a_review_in_a_half_last_quarter_and_without_a_street(street):
    for bad in ({"quarter": 1}, {"quarter": 3}, {"quarter": 2, "street": street}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Competition.objects.create(
                level="review", district=street.district, year=2026, **({"quarter": 2} | bad)
            )


def test_the_review_is_listed_with_the_district_competitions(client, review, district_dan):
    client.force_login(district_dan)
    response = client.get(reverse("scoring:competitions"))
    assert review in list(response.context["competitions"])


# ---- Observation points ----


def test_adding_points_makes_their_secretaries_contestants_in_visiting_order(
    review, villages, district_dan
):
    for village in villages:
        add(review, village, district_dan)

    assert points_of(review) == [(n, v.code, n) for n, v in enumerate(villages, start=1)]
    secretaries = {v.tenures.get().secretary_id for v in villages}
    assert set(review.contestants.values_list("secretary_id", flat=True)) == secretaries
    assert review.events.filter(kind=Event.Kind.POINTS).count() == 3


def test_removing_a_point_removes_its_contestant_and_closes_the_gap(review, villages, district_dan):
    points = [add(review, v, district_dan) for v in villages]

    competition_services.remove_observation_point(point=points[0], by=district_dan)

    assert points_of(review) == [(1, villages[1].code, 1), (2, villages[2].code, 2)]
    assert not Contestant.objects.filter(pk=points[0].contestant_id).exists()


def test_the_visiting_order_is_set_by_hand_and_the_speaking_order_follows(
    review, villages, district_dan
):
    points = [add(review, v, district_dan) for v in villages]

    competition_services.set_visiting_order(
        competition=review,
        order={points[0].pk: 3, points[1].pk: 1, points[2].pk: 2},
        by=district_dan,
    )

    assert points_of(review) == [
        (1, villages[1].code, 1),
        (2, villages[2].code, 2),
        (3, villages[0].code, 3),
    ]


@pytest.mark.parametrize("positions", [(1, 1, 2), (1, 2, 4), (0, 1, 2), (1, 2)])
def test_a_visiting_order_that_is_not_1_to_n_is_refused_and_nothing_changes(
    review, villages, district_dan, positions
):
    points = [add(review, v, district_dan) for v in villages]
    before = snapshot()
    with pytest.raises(ActionRefused):
        competition_services.set_visiting_order(
            competition=review,
            order={p.pk: n for p, n in zip(points, positions, strict=False)},
            by=district_dan,
        )
    assert snapshot() == before


@pytest.mark.parametrize("day", [dt.date(2025, 12, 31), dt.date(2026, 7, 1)])
def test_a_visit_outside_the_half_is_refused(review, villages, district_dan, day):
    before = snapshot()
    with translation.override("zh-hans"), pytest.raises(ActionRefused, match="2026年上半年"):
        add(review, villages[0], district_dan, day=day)
    assert snapshot() == before


def test_the_half_bounds_are_inclusive(review, villages, district_dan):
    add(review, villages[0], district_dan, day=dt.date(2026, 1, 1))
    add(review, villages[1], district_dan, day=dt.date(2026, 6, 30))
    assert review.observation_points.count() == 2


def test_a_village_is_one_point_once_and_of_the_district_only(review, villages, district_dan):
    add(review, villages[0], district_dan)
    elsewhere = TenureFactory().village  # another district
    no_secretary = TenureFactory(village__street=villages[0].street, end=dt.date(2025, 1, 1))
    inactive = TenureFactory(village__street=villages[0].street, village__active=False)
    before = snapshot()
    for village in (villages[0], elsewhere, no_secretary.village, inactive.village):
        with pytest.raises(ActionRefused):
            add(review, village, district_dan)
    assert snapshot() == before


def test_points_are_chosen_only_while_the_review_is_in_draft(review, villages, district_dan):
    point = add(review, villages[0], district_dan)
    competition_services.add_judge(
        competition=review, user=UserFactory(), role=Judge.Role.DISTRICT, by=district_dan
    )
    open_scoring(competition=review, by=district_dan)  # the visiting order is the speaking order
    before = snapshot()
    with pytest.raises(ActionRefused):
        add(review, villages[1], district_dan)
    with pytest.raises(ActionRefused):
        competition_services.remove_observation_point(point=point, by=district_dan)
    with pytest.raises(ActionRefused):
        competition_services.set_visiting_order(
            competition=review, order={point.pk: 1}, by=district_dan
        )
    assert snapshot() == before


def test_a_street_competition_has_no_points_and_a_review_no_drawn_order(
    street, street_staff_carol, review, villages, district_dan
):
    competition = competition_in_scoring(street=street, staff=street_staff_carol, open_it=False)
    with pytest.raises(ActionRefused):
        add(competition, villages[0], street_staff_carol)
    add(review, villages[0], district_dan)
    with pytest.raises(ActionRefused):
        competition_services.draw_order(competition=review, by=district_dan)


# ---- The page ----


def test_district_staff_add_a_point_on_the_page(client, review, villages, district_dan):
    client.force_login(district_dan)
    url = reverse("scoring:points", args=[review.pk])

    response = client.post(
        url, {"village": villages[1].pk, "visit_on": "2026-06-10", "note": "先看党群服务中心"}
    )

    assert response.url == url
    page = client.get(url)
    assert [p.village for p in page.context["points"]] == [villages[1]]
    assert "先看党群服务中心" in page.content.decode()
    # The village is no longer offered.
    assert villages[1] not in page.context["form"].fields["village"].queryset


def test_the_village_picker_groups_the_villages_under_their_streets(
    client, review, villages, district_dan
):
    client.force_login(district_dan)
    url = reverse("scoring:points", args=[review.pk])
    add(review, villages[2], district_dan)

    for response in (
        client.get(url),
        # Refused (a date outside the half): the page comes back with the picker as before.
        client.post(url, {"village": villages[0].pk, "visit_on": "2026-08-01"}),
    ):
        picker = re.search(r'<select name="village".*?</select>', response.content.decode(), re.S)
        groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', picker[0], re.S)
        offered = {label: re.findall(r'value="(\d+)"', options) for label, options in groups}
        # An observation point already is not offered again.
        assert offered == {
            villages[0].street.name: [str(villages[0].pk)],
            villages[1].street.name: [str(villages[1].pk)],
        }
        assert f">{villages[0].name}</option>" in picker[0]


def test_the_page_warns_when_the_visiting_order_and_the_dates_disagree(
    client, review, villages, district_dan
):
    client.force_login(district_dan)
    url = reverse("scoring:points", args=[review.pk])
    add(review, villages[0], district_dan, day=dt.date(2026, 5, 20))
    add(review, villages[1], district_dan, day=dt.date(2026, 5, 21))
    assert "order-and-dates" not in client.get(url).content.decode()

    third = add(review, villages[2], district_dan, day=dt.date(2026, 5, 19))

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "观摩顺序与观摩日期不一致" in page
    assert f"第3个观摩点（{villages[2].name}）的观摩日期是2026-05-19" in page
    assert "第2个观摩点" not in page
    # Later than the point just before it, but earlier than one further ahead: named too.
    ObservationPoint.objects.filter(pk=third.pk).update(visit_on=dt.date(2026, 5, 20))
    ObservationPoint.objects.filter(competition=review, order=2).update(
        visit_on=dt.date(2026, 5, 19)
    )
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "第2个观摩点" in page and "第3个观摩点" not in page
    ObservationPoint.objects.filter(competition=review, order=1).update(
        visit_on=dt.date(2026, 5, 25)
    )
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "第2个观摩点" in page and "第3个观摩点" in page  # both before point 1's day
    # The days as they were: the third point is the first visited.
    ObservationPoint.objects.filter(competition=review, order=1).update(
        visit_on=dt.date(2026, 5, 20)
    )
    ObservationPoint.objects.filter(competition=review, order=2).update(
        visit_on=dt.date(2026, 5, 21)
    )
    ObservationPoint.objects.filter(pk=third.pk).update(visit_on=dt.date(2026, 5, 19))
    # Visited first, it is in order again: the warning goes.
    competition_services.set_visiting_order(
        competition=review,
        order={
            third.pk: 1,
            **{p.pk: p.order + 1 for p in review.observation_points.exclude(pk=third.pk)},
        },
        by=district_dan,
    )
    assert "order-and-dates" not in client.get(url).content.decode()


def test_the_page_refuses_a_date_outside_the_half_with_a_clear_message(
    client, review, villages, district_dan
):
    client.force_login(district_dan)
    before = snapshot()

    response = client.post(
        reverse("scoring:points", args=[review.pk]),
        {"village": villages[0].pk, "visit_on": "2026-08-01"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 200
    assert "观摩日期须在2026年上半年内" in response.content.decode()
    assert snapshot() == before


def test_a_village_added_meanwhile_from_another_page_is_refused_clearly(
    client, review, villages, district_dan
):
    add(review, villages[0], district_dan)  # from another phone, after this page was shown
    client.force_login(district_dan)
    before = snapshot()

    response = client.post(
        reverse("scoring:points", args=[review.pk]),
        {"village": villages[0].pk, "visit_on": "2026-05-21"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 200
    assert "该村已无法添加：已是观摩点" in response.content.decode()
    assert snapshot() == before


def test_the_page_reorders_and_removes_points(client, review, villages, district_dan):
    points = [add(review, v, district_dan) for v in villages[:2]]
    client.force_login(district_dan)

    client.post(
        reverse("scoring:visiting_order", args=[review.pk]),
        {f"order-{points[0].pk}": "2", f"order-{points[1].pk}": "1"},
    )
    assert points_of(review) == [(1, villages[1].code, 1), (2, villages[0].code, 2)]
    client.post(reverse("scoring:point_remove", args=[review.pk, points[1].pk]))
    assert points_of(review) == [(1, villages[0].code, 1)]

    before = snapshot()
    response = client.post(
        reverse("scoring:visiting_order", args=[review.pk]), {f"order-{points[0].pk}": "x"}
    )
    assert response.url == reverse("scoring:points", args=[review.pk])
    assert snapshot() == before


def test_street_staff_and_another_district_cannot_change_points(
    client, review, villages, district_dan, street_staff_carol
):
    other = MembershipFactory(role="district_staff", street=None, district=StreetFactory().district)
    add(review, villages[0], district_dan)
    point = review.observation_points.get()
    before = snapshot()
    for user in (street_staff_carol, other.user):
        client.force_login(user)
        for url, data in (
            (
                reverse("scoring:points", args=[review.pk]),
                {"village": villages[1].pk, "visit_on": "2026-05-01"},
            ),
            (reverse("scoring:point_remove", args=[review.pk, point.pk]), {}),
            (reverse("scoring:visiting_order", args=[review.pk]), {f"order-{point.pk}": "1"}),
        ):
            assert client.post(url, data).status_code == 404
        assert client.get(reverse("scoring:points", args=[review.pk])).status_code == 404
    assert snapshot() == before


def test_a_street_competition_has_no_points_page(client, street, street_staff_carol):
    competition = competition_in_scoring(street=street, staff=street_staff_carol, open_it=False)
    client.force_login(street_staff_carol)
    assert client.get(reverse("scoring:points", args=[competition.pk])).status_code == 404


def test_district_staff_create_the_review_from_the_half_year_report(client, district_dan):
    client.force_login(district_dan)

    response = client.post(reverse("scoring:review_new"), {"year": 2026, "half": 2})

    review = Competition.objects.get(level="review")
    assert (review.year, review.quarter) == (2026, 4)
    assert response.url == reverse("scoring:points", args=[review.pk])
    again = client.post(reverse("scoring:review_new"), {"year": 2026, "half": 2})
    assert again.url == reverse("scoring:half_year") + "?year=2026&half=2"
    assert Competition.objects.filter(level="review").count() == 1
    # The report now links to the review instead of offering to create it.
    page = client.get(reverse("scoring:half_year"), {"year": 2026, "half": 2})
    assert page.context["review"] == review
    assert reverse("scoring:review_new") not in page.content.decode()
    assert reverse("scoring:points", args=[review.pk]) in page.content.decode()


@pytest.mark.parametrize("data", [{"year": 2026, "half": 3}, {"year": "x", "half": 1}, {}])
def test_creating_a_review_of_a_bad_half_is_refused_and_creates_nothing(client, district_dan, data):
    client.force_login(district_dan)
    response = client.post(reverse("scoring:review_new"), data, follow=True)
    assert not Competition.objects.exists()
    assert [str(m) for m in response.context["messages"]]


def test_street_staff_cannot_create_a_review(client, street_staff_carol):
    client.force_login(street_staff_carol)
    response = client.post(reverse("scoring:review_new"), {"year": 2026, "half": 1})
    assert response.status_code == 404
    assert not Competition.objects.exists()


def test_removing_a_review_contestant_takes_their_point_and_closes_the_gap(
    review, villages, district_dan
):
    points = [add(review, v, district_dan) for v in villages]

    competition_services.remove_contestant(contestant=points[1].contestant, by=district_dan)

    assert points_of(review) == [(1, villages[0].code, 1), (2, villages[2].code, 2)]
    with pytest.raises(ActionRefused):
        competition_services.set_order(
            competition=review,
            order={c.pk: n for n, c in enumerate(review.contestants.order_by("-order"), 1)},
            by=district_dan,
        )


def test_the_dashboard_names_a_review_by_its_kind():
    from scoring.reports.dashboard import CompletionRow

    row = CompletionRow(competition_id=1, level="review", street=None, submitted=0, expected=0)
    with translation.override("zh-hans"):
        assert row.label == "半年观摩点评"
    with translation.override("en"):
        assert row.label == "half-year review"
