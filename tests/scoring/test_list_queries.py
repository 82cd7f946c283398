"""Every list page makes the same number of queries at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.ballots import services
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import StreetFactory, UserFactory
from tests.scoring.test_rankings import publish

pytestmark = pytest.mark.django_db


def count(client, url, **params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("size", [1, 6])
def test_competition_list(client, district_dan, street, size):
    streets = [street, *StreetFactory.create_batch(size - 1, district=street.district)]
    for each in streets:
        competition_in_scoring(street=each, staff=district_dan, contestants=1)
    client.force_login(district_dan)
    queries, response = count(client, reverse("scoring:competitions"))
    assert len(response.context["competitions"]) == size
    # session, user with their role, streets, competitions
    assert queries == 4


@pytest.mark.parametrize("size", [2, 10])
def test_problem_list(client, street_staff_carol, size):
    judge = UserFactory()
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        contestants=size,
        judges=[judge],
    )
    seat = competition.judges.get()
    for contestant in competition.contestants.all():
        save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition),
            version=1,
            submit=True,
            problems=[f"问题{contestant.pk}"],
            by=judge,
        )
    client.force_login(street_staff_carol)
    queries, response = count(client, reverse("competition:problems"))
    assert len(response.context["problems"]) == size
    # session, user with their role, streets and competitions (filter form), closure by
    # street, problems
    assert queries == 6


@pytest.mark.parametrize("size", [2, 10])
def test_democratic_page(client, street_staff_carol, size):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, contestants=size
    )
    services.issue_ballot_tokens(competition=competition, per_contestant=3, by=street_staff_carol)
    client.force_login(street_staff_carol)
    queries, response = count(client, reverse("scoring:democratic", args=[competition.pk]))
    assert len(response.context["contestants"]) == size
    # session, user with their role, competition, policy, contestants with counts and tallies
    assert queries == 5


@pytest.mark.parametrize("size", [1, 5])
def test_judge_competitions(client, street, size):
    judge = UserFactory()
    streets = [street, *StreetFactory.create_batch(size - 1, district=street.district)]
    for each in streets:
        competition_in_scoring(street=each, staff=judge, contestants=1, judges=[judge])
    client.force_login(judge)
    queries, response = count(client, reverse("scoring:judge"))
    assert len(response.context["seats"]) == size
    # session, user with their role, seats; their competitions' contestants, their recusals and
    # their submitted sheets
    assert queries == 6


@pytest.mark.parametrize("size", [4, 40])
def test_annual_report(client, street, district_dan, size):
    for quarter in range(1, 5):
        publish(
            street, 2026, quarter, {f"V{n}": f"{70 + n % 30}.00" for n in range(size)}, district_dan
        )
    client.force_login(district_dan)
    queries, response = count(client, reverse("scoring:annual"), year=2026)
    assert len(response.context["rows"]) == size
    # session, user with their role, policy, this year's documents, last year's
    assert queries == 5
