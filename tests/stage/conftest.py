import pytest

from tests.competition_setup import competition_in_scoring
from tests.factories import UserFactory


@pytest.fixture
def judge_alice(db):
    return UserFactory(username="alice_judge", first_name="王建华")


@pytest.fixture
def competition(street_staff_carol, judge_alice, judge_bob):
    """Four contestants in speaking order, a panel of two, open for scoring."""
    return competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[judge_alice, judge_bob],
        contestants=4,
    )


@pytest.fixture
def speakers(competition):
    return list(competition.contestants.order_by("order"))
