import importlib

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from villages.auth import RoleBackend
from villages.permissions import membership_of

rename = importlib.import_module("villages.migrations.0004_sessions_role_backend")


def test_it_loads_the_user_and_their_role_in_one_query(street_staff_carol, street):
    # One query: the user, their role, its district and its street.
    with CaptureQueriesContext(connection) as queries:
        user = RoleBackend().get_user(street_staff_carol.pk)
        membership = membership_of(user)
        seen = (user.username, membership.role, membership.street.name, membership.district.name)
    assert seen == ("carol", "street_staff", street.name, street.district.name)
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_it_knows_a_user_without_a_role_in_the_same_query(admin_alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = RoleBackend().get_user(admin_alice.pk)
        assert membership_of(user) is None
    assert user.is_superuser


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.parametrize("who", ["street_staff_carol", "district_dan", "admin_alice"])
def test_it_reads_every_field_as_the_orm_does(who, request):
    user = request.getfixturevalue(who)
    user.last_login = timezone.now()  # aware; SQLite stores it as text
    user.first_name = "卡罗尔 🌾"
    user.save()
    expected = User.objects.select_related("membership__district", "membership__street").get(
        pk=user.pk
    )
    loaded = RoleBackend().get_user(user.pk)
    assert _values(loaded) == _values(expected)
    assert timezone.is_aware(loaded.last_login) and timezone.is_aware(loaded.date_joined)
    role = getattr(expected, "membership", None)
    if role is None:
        assert membership_of(loaded) is None
    else:
        assert _values(membership_of(loaded)) == _values(role)
        assert _values(membership_of(loaded).district) == _values(role.district)
        assert membership_of(loaded).street == role.street
        if role.street:
            assert _values(membership_of(loaded).street) == _values(role.street)
    assert loaded._state.db == "default" and not loaded._state.adding


def test_it_saves_back_what_it_loaded_unchanged(street_staff_carol):
    loaded = RoleBackend().get_user(street_staff_carol.pk)
    loaded.save()  # no naive datetime, no lost field
    assert _values(User.objects.get(pk=loaded.pk)) == _values(street_staff_carol)


@pytest.mark.parametrize("user_id", ["", "abc", "1; DROP TABLE auth_user", None])
def test_it_signs_nobody_in_from_a_malformed_id(user_id, street_staff_carol):
    assert RoleBackend().get_user(user_id) is None
    assert User.objects.filter(pk=street_staff_carol.pk).exists()


def test_it_signs_out_a_deactivated_or_deleted_user(street_staff_carol):
    street_staff_carol.is_active = False
    street_staff_carol.save()
    assert RoleBackend().get_user(street_staff_carol.pk) is None
    assert RoleBackend().get_user(10**9) is None


def test_a_page_asks_for_the_role_only_once(client, street_staff_carol, street):
    client.force_login(street_staff_carol)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert street.name in response.content.decode()
    assert not [q for q in queries if q["sql"].startswith('SELECT "villages_membership"')]


def test_sessions_of_djangos_backend_stay_signed_in_after_the_upgrade(client, street_staff_carol):
    old = SessionStore()
    old[SESSION_KEY] = str(street_staff_carol.pk)
    old[BACKEND_SESSION_KEY] = rename.OLD
    old[HASH_SESSION_KEY] = street_staff_carol.get_session_auth_hash()
    old.create()
    client.cookies["sessionid"] = old.session_key
    assert not client.get("/").wsgi_request.user.is_authenticated  # no longer a backend

    rename.rename_backend(apps, None)

    assert SessionStore(old.session_key).load()[BACKEND_SESSION_KEY] == "villages.auth.RoleBackend"
    assert client.get("/").wsgi_request.user == street_staff_carol


def test_it_keeps_the_role_in_the_users_membership_relation(
    street_staff_carol, street, django_assert_num_queries
):
    # One query: the role with its district and street; user.membership then reads it.
    user = User.objects.get(pk=street_staff_carol.pk)
    with django_assert_num_queries(1):
        membership = membership_of(user)
        assert user.membership is membership
        assert (membership.street.name, membership.district.name) == (
            street.name,
            street.district.name,
        )
    assert not any(name.startswith("_leitai") for name in vars(user))
