"""Contestants, speaking order, panel and sign-in cards."""

import datetime as dt

import pytest
from django.utils import translation

from competition import services as competition_services
from competition.models import Contestant, Event, SignInCard
from competition.services import ActionRefused
from tests.competition_setup import competition_in_scoring
from tests.factories import TenureFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(street_staff_carol):
    return competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        contestants=4,
        open_it=False,
    )


def test_add_current_secretaries_takes_each_active_village_once(
    draft, street_staff_carol, other_street
):
    street = draft.street
    newcomer = TenureFactory(village__street=street)
    TenureFactory(village__street=street, village__active=False)
    TenureFactory(village__street=other_street)
    ended = TenureFactory(village__street=street, end=dt.date(2024, 1, 1))
    VillageFactory(street=street)  # no secretary at all

    added = competition_services.add_current_secretaries(competition=draft, by=street_staff_carol)

    assert added == 1
    assert draft.contestants.count() == 5
    assert draft.contestants.filter(secretary=newcomer.secretary).exists()
    assert not draft.contestants.filter(secretary=ended.secretary).exists()
    assert draft.events.filter(kind="contestants").exists()


def test_draw_by_lot_is_a_permutation_recorded_with_who_and_when(draft, street_staff_carol):
    competition_services.set_absent(
        contestant=draft.contestants.first(), absent=True, by=street_staff_carol
    )

    ids = competition_services.draw_order(competition=draft, by=street_staff_carol)

    present = draft.contestants.filter(absent=False)
    assert sorted(present.values_list("order", flat=True)) == [1, 2, 3]
    assert list(present.order_by("order").values_list("pk", flat=True)) == ids
    assert draft.contestants.get(absent=True).order is None
    drawn = draft.events.get(kind="order_drawn")
    assert drawn.by == street_staff_carol
    assert drawn.note.startswith("1. ")


def test_redraw_and_reorder_only_in_draft(draft, street_staff_carol):
    from scoring.setup.services import open_scoring

    open_scoring(competition=draft, by=street_staff_carol)
    before = list(draft.contestants.values_list("pk", "order"))
    with pytest.raises(ActionRefused):
        competition_services.draw_order(competition=draft, by=street_staff_carol)
    with pytest.raises(ActionRefused):
        competition_services.set_order(competition=draft, order=dict(before), by=street_staff_carol)
    assert list(draft.contestants.values_list("pk", "order")) == before


@pytest.mark.parametrize(
    ("positions", "message"),
    [([1, 2, 3, 3], "each used once"), ([1, 2, 3, 5], "each used once"), ([1, 2, 3], "every")],
)
def test_order_by_hand_must_be_a_permutation(draft, street_staff_carol, positions, message):
    ids = list(draft.contestants.order_by("pk").values_list("pk", flat=True))
    before = list(draft.contestants.values_list("pk", "order"))
    with translation.override("en"), pytest.raises(ActionRefused, match=message):
        competition_services.set_order(
            competition=draft, order=dict(zip(ids, positions, strict=False)), by=street_staff_carol
        )
    assert list(draft.contestants.values_list("pk", "order")) == before


def test_order_by_hand_is_saved(draft, street_staff_carol):
    ids = list(draft.contestants.order_by("pk").values_list("pk", flat=True))
    competition_services.set_order(
        competition=draft, order=dict(zip(ids, [4, 3, 2, 1], strict=True)), by=street_staff_carol
    )
    assert list(draft.contestants.order_by("order").values_list("pk", flat=True)) == ids[::-1]
    assert draft.events.filter(kind="order_set").count() == 2


def test_remove_contestant_only_in_draft(draft, street_staff_carol):
    contestant = draft.contestants.first()
    competition_services.remove_contestant(contestant=contestant, by=street_staff_carol)
    assert not Contestant.objects.filter(pk=contestant.pk).exists()


def test_a_judge_sits_once_per_panel(draft, street_staff_carol):
    judge = draft.judges.get()
    with pytest.raises(ActionRefused):
        competition_services.add_judge(
            competition=draft, user=judge.user, role="observer", by=street_staff_carol
        )
    assert draft.judges.count() == 1


def test_recusals_only_name_this_competitions_contestants(draft, street_staff_carol, other_street):
    judge = draft.judges.get()
    other = competition_in_scoring(street=other_street, staff=street_staff_carol, open_it=False)
    with pytest.raises(ActionRefused):
        competition_services.set_recusals(
            judge=judge, contestants=[other.contestants.first()], by=street_staff_carol
        )
    assert not judge.recusals.exists()
    mine = draft.contestants.first()
    competition_services.set_recusals(judge=judge, contestants=[mine], by=street_staff_carol)
    assert list(judge.recusals.all()) == [mine]


def test_cards_are_one_time_and_stored_only_as_hashes(draft, street_staff_carol):
    [(judge, token)] = competition_services.issue_cards(competition=draft, by=street_staff_carol)

    card = SignInCard.objects.get()
    assert token not in card.token_hash and len(token) >= 43  # 256 bits, url-safe
    assert competition_services.redeem_card(token=token) == judge
    assert competition_services.redeem_card(token=token) is None  # used
    assert competition_services.redeem_card(token=token[:-1]) is None  # truncated
    assert competition_services.redeem_card(token="forged" + token[6:]) is None


def test_new_cards_revoke_unused_ones_and_close_expires_them(draft, street_staff_carol):
    from scoring.setup.services import open_scoring

    [(_judge, first)] = competition_services.issue_cards(competition=draft, by=street_staff_carol)
    [(_judge, second)] = competition_services.issue_cards(competition=draft, by=street_staff_carol)
    assert competition_services.find_card(first) is None
    assert competition_services.find_card(second) is not None

    competition_services.issue_cards(competition=draft, by=street_staff_carol)
    assert competition_services.find_card(second) is None

    [(_judge, third)] = competition_services.issue_cards(competition=draft, by=street_staff_carol)
    open_scoring(competition=draft, by=street_staff_carol)
    competition_services.transition(competition=draft, action="close", by=street_staff_carol)
    assert competition_services.redeem_card(token=third) is None
    assert Event.objects.filter(kind="card").count() == 4


def test_new_judges_from_a_name_get_an_account_without_password(client, draft, street_staff_carol):
    from django.urls import reverse

    client.force_login(street_staff_carol)
    client.post(
        reverse("scoring:judge_add", args=[draft.pk]),
        {"name": "李红梅", "role": "station_director"},
    )
    judge = draft.judges.get(user__first_name="李红梅")
    assert judge.role == "station_director"
    assert not judge.user.has_usable_password()
    assert judge.user.membership.street == draft.street
    assert UserFactory._meta.model.objects.filter(first_name="李红梅").count() == 1
