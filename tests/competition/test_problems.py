"""Problems raised on site, followed up by street staff."""

import datetime as dt

import pytest
from django.urls import reverse

from competition.models import Problem
from scoring.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(street_staff_carol):
    judge = UserFactory(first_name="王建华")
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=[judge]
    )
    seat = competition.judges.get()
    first, second = competition.contestants.order_by("order")[:2]
    save_sheet(
        judge=seat,
        contestant=first,
        points=full_points(competition),
        version=1,
        submit=True,
        problems=["村集体收入增长慢", "账目公开不及时"],
        by=judge,
    )
    save_sheet(
        judge=seat,
        contestant=second,
        points=full_points(competition),
        version=1,
        submit=True,
        problems=["道路破损"],
        by=judge,
    )
    return competition


def texts(response) -> list[str]:
    return sorted(p.text for p in response.context["problems"])


def test_problem_list_filters_by_status_overdue_and_text(client, street_staff_carol, raised):
    Problem.objects.filter(text="道路破损").update(status="in_progress", due=dt.date(2020, 1, 1))
    client.force_login(street_staff_carol)
    url = reverse("competition:problems")
    assert texts(client.get(url)) == ["村集体收入增长慢", "账目公开不及时", "道路破损"]
    assert texts(client.get(url, {"status": "open"})) == ["村集体收入增长慢", "账目公开不及时"]
    assert texts(client.get(url, {"overdue": "on"})) == ["道路破损"]
    assert texts(client.get(url, {"q": "账目"})) == ["账目公开不及时"]


def test_street_staff_see_only_their_streets_problems(client, raised, other_street):
    from tests.factories import MembershipFactory

    stranger = MembershipFactory(role="street_staff", street=other_street).user
    client.force_login(stranger)
    assert texts(client.get(reverse("competition:problems"))) == []
    problem = Problem.objects.first()
    assert client.get(reverse("competition:problem", args=[problem.pk])).status_code == 404


def test_district_staff_see_the_whole_district(client, raised, district_dan):
    client.force_login(district_dan)
    assert len(texts(client.get(reverse("competition:problems")))) == 3


def test_following_up_a_problem_records_owner_due_and_resolution(
    client, street_staff_carol, raised
):
    problem = Problem.objects.get(text="道路破损")
    client.force_login(street_staff_carol)
    url = reverse("competition:problem", args=[problem.pk])
    refused = client.post(
        url,
        {"status": "resolved", "owner": "村委会", "due": "2027-01-31", "resolution": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Describe how the problem was resolved." in refused.content.decode()
    problem.refresh_from_db()
    assert problem.status == "open"

    client.post(
        url,
        {
            "status": "resolved",
            "owner": "村委会",
            "due": "2027-01-31",
            "resolution": "已修复 300 米",
        },
    )
    problem.refresh_from_db()
    assert (problem.status, problem.owner, problem.due, problem.resolution) == (
        "resolved",
        "村委会",
        dt.date(2027, 1, 31),
        "已修复 300 米",
    )
