"""A competition's grading policy is found in one place (results.policies_of): its own copy,
else its district's, else the defaults — for the document, the ballot box and advancement."""

import pytest

from scoring.ballots import services as ballot_services
from scoring.ballots.services import BallotRefused, cast_ballot
from scoring.models import GradingPolicy
from scoring.results import queries as results
from scoring.setup import services
from tests.competition_setup import competition_in_scoring

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition(street_staff_carol):
    return competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol
    )


def test_policies_of_prefers_the_competitions_own_copy(competition):
    own = GradingPolicy.objects.get(competition=competition)
    services.district_policy(competition.district)
    GradingPolicy.objects.filter(district=competition.district).update(advancement_k=5)
    assert results.policies_of([(competition.pk, competition.district_id)]) == {competition.pk: own}


def test_policies_of_falls_back_to_the_district_then_the_defaults(competition):
    GradingPolicy.objects.filter(competition=competition).delete()
    district = services.district_policy(competition.district)
    assert results.policy_of(competition) == district
    district.delete()
    defaults = results.policies_of([(competition.pk, competition.district_id)])[competition.pk]
    assert (defaults.pk, defaults.advancement_k) == (None, 2)


def test_a_ballot_is_refused_when_the_district_without_a_copy_has_evaluation_off(
    competition, street_staff_carol
):
    [(_contestant, code)] = ballot_services.issue_ballot_tokens(
        competition=competition, per_contestant=1, by=street_staff_carol
    )[:1]
    GradingPolicy.objects.filter(competition=competition).delete()
    district = services.district_policy(competition.district)
    district.democratic_enabled = False
    district.save()
    with pytest.raises(BallotRefused, match="off"):
        cast_ballot(code=code, choice="excellent")
