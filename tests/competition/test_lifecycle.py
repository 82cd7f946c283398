"""draft → scoring → closed → published, each step recorded; what each status allows."""

import pytest
from django.utils import translation

from competition import services as competition_services
from competition.models import Competition, Event
from competition.services import ActionRefused
from scoring.models import Scheme
from scoring.setup import services
from tests.competition_setup import competition_in_scoring
from tests.factories import TenureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(street_staff_carol):
    return competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, open_it=False
    )


def kinds(competition) -> list[str]:
    return list(competition.events.order_by("pk").values_list("kind", flat=True))


def test_a_competition_goes_through_its_lifecycle_and_each_step_is_recorded(
    draft, street_staff_carol
):
    services.open_scoring(competition=draft, by=street_staff_carol)
    competition_services.transition(competition=draft, action="close", by=street_staff_carol)
    competition_services.transition(
        competition=draft, action="reopen", by=street_staff_carol, reason="评委王建华的评分表漏填"
    )
    competition_services.transition(competition=draft, action="close", by=street_staff_carol)
    competition_services.transition(competition=draft, action="publish", by=street_staff_carol)

    draft.refresh_from_db()
    assert draft.status == "published"
    assert kinds(draft)[-5:] == ["opened", "closed", "reopened", "closed", "published"]
    reopened = draft.events.get(kind="reopened")
    assert (reopened.by, reopened.note) == (street_staff_carol, "评委王建华的评分表漏填")
    assert reopened.at is not None


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "close"),
        ("draft", "reopen"),
        ("draft", "publish"),
        ("scoring", "publish"),
        ("scoring", "reopen"),
        ("closed", "close"),
        ("published", "reopen"),
        ("published", "close"),
        ("published", "publish"),
    ],
)
def test_transitions_out_of_order_are_refused(draft, street_staff_carol, status, action):
    Competition.objects.filter(pk=draft.pk).update(status=status)
    events = Event.objects.count()
    with translation.override("en"), pytest.raises(ActionRefused, match="Not possible now"):
        competition_services.transition(
            competition=draft, action=action, by=street_staff_carol, reason="x"
        )
    draft.refresh_from_db()
    assert draft.status == status
    assert Event.objects.count() == events


def test_reopening_needs_a_reason(draft, street_staff_carol):
    services.open_scoring(competition=draft, by=street_staff_carol)
    competition_services.transition(competition=draft, action="close", by=street_staff_carol)
    with translation.override("en"), pytest.raises(ActionRefused, match="reason"):
        competition_services.transition(
            competition=draft, action="reopen", by=street_staff_carol, reason="  "
        )
    draft.refresh_from_db()
    assert draft.status == "closed"


def test_opening_needs_contestants_in_order_and_judges(street_staff_carol):
    street = street_staff_carol.membership.street
    competition = services.create_competition(
        street=street,
        year=2026,
        quarter=3,
        scheme=Scheme.objects.get(),
        optional_codes=[],
        by=street_staff_carol,
    )
    with translation.override("en"), pytest.raises(ActionRefused) as error:
        services.open_scoring(competition=competition, by=street_staff_carol)
    assert str(error.value) == "Before scoring: add contestants; add judges."

    TenureFactory(village__street=street)
    competition_services.add_current_secretaries(competition=competition, by=street_staff_carol)
    competition_services.add_judge(
        competition=competition, user=UserFactory(), role="observer", by=street_staff_carol
    )
    with translation.override("en"), pytest.raises(ActionRefused) as error:
        services.open_scoring(competition=competition, by=street_staff_carol)
    assert str(error.value) == "Before scoring: set the speaking order; add judges."
    competition.refresh_from_db()
    assert competition.status == "draft"


def test_criteria_are_copied_with_the_chosen_optional_items(street_staff_carol):
    competition = services.create_competition(
        street=street_staff_carol.membership.street,
        year=2026,
        quarter=2,
        scheme=Scheme.objects.get(),
        optional_codes=["livelihood", "reserve"],
        by=street_staff_carol,
    )
    assert list(competition.criteria.values_list("code", "required")) == [
        ("political", True),
        ("organization", True),
        ("development", True),
        ("service", True),
        ("integrity", True),
        ("livelihood", False),
        ("reserve", False),
    ]
    assert kinds(competition) == ["created"]


def test_criteria_are_frozen_from_scoring_on_and_later_scheme_edits_change_nothing(
    draft, street_staff_carol
):
    services.open_scoring(competition=draft, by=street_staff_carol)
    scheme = Scheme.objects.get()
    scheme.criteria.filter(code="political").update(max_points=30, name="改过的名称")

    with pytest.raises(ActionRefused):
        services.choose_criteria(
            competition=draft, scheme=scheme, optional_codes=["reserve"], by=street_staff_carol
        )
    political = draft.criteria.get(code="political")
    assert (political.max_points, political.name) == (20, "个人政治表现")
    assert list(draft.criteria.filter(required=False).values_list("code", flat=True)) == [
        "governance"
    ]


def test_one_competition_per_street_and_quarter(draft, street_staff_carol):
    with translation.override("en"), pytest.raises(ActionRefused, match="already has"):
        services.create_competition(
            street=draft.street,
            year=draft.year,
            quarter=draft.quarter,
            scheme=Scheme.objects.get(),
            optional_codes=[],
            by=street_staff_carol,
        )
    assert Competition.objects.count() == 1


def test_unknown_optional_item_is_refused(street_staff_carol):
    with pytest.raises(ActionRefused):
        services.create_competition(
            street=street_staff_carol.membership.street,
            year=2026,
            quarter=1,
            scheme=Scheme.objects.get(),
            optional_codes=["political", "nonsense"],
            by=street_staff_carol,
        )
    assert not Competition.objects.exists()
