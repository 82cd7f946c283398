import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import StreetFactory, VillageFactory
from villages import permissions

pytestmark = pytest.mark.django_db


def test_who_sees_and_changes_a_street(
    admin_alice, district_dan, street_staff_carol, judge_bob, street, other_street
):
    foreign = StreetFactory()  # another district
    anonymous = AnonymousUser()
    table = {
        # user: (view own street, change own street, view other street, view foreign district)
        admin_alice: (True, True, True, True),
        district_dan: (True, False, True, False),
        street_staff_carol: (True, True, False, False),
        judge_bob: (False, False, False, False),
        anonymous: (False, False, False, False),
    }
    for user, expected in table.items():
        assert (
            permissions.can_view_street(user, street),
            permissions.can_change_street(user, street),
            permissions.can_view_street(user, other_street),
            permissions.can_view_street(user, foreign),
        ) == expected, user


def test_district_staff_manage_only_their_district(district_dan, street):
    assert permissions.can_manage_district(district_dan, street.district)
    assert not permissions.can_manage_district(district_dan, StreetFactory().district)


def test_visible_streets_and_villages_follow_the_role(
    admin_alice, district_dan, street_staff_carol, judge_bob, street, other_street
):
    foreign = StreetFactory()
    mine = VillageFactory(street=street)
    VillageFactory(street=foreign)
    assert set(permissions.streets_visible_to(admin_alice)) == {street, other_street, foreign}
    assert set(permissions.streets_visible_to(district_dan)) == {street, other_street}
    assert set(permissions.streets_visible_to(street_staff_carol)) == {street}
    assert not permissions.streets_visible_to(judge_bob).exists()
    assert list(permissions.villages_visible_to(street_staff_carol)) == [mine]
    assert permissions.can_view_village(street_staff_carol, mine)
    assert not permissions.can_view_village(AnonymousUser(), mine)


def test_an_inactive_superuser_may_do_nothing(admin_alice, street):
    admin_alice.is_active = False
    assert not permissions.can_change_street(admin_alice, street)
