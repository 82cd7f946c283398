"""Street staff add a colleague for their own street from the app, not only in the admin."""

import re

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import MembershipFactory
from villages import permissions, services
from villages.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_staff_erin(other_street):
    """Staff of another street of the same district."""
    return MembershipFactory(
        user__username="erin",
        role="street_staff",
        district=other_street.district,
        street=other_street,
    ).user


def url_of(street) -> str:
    return reverse("street_staff", args=[street.pk])


def can_sign_in(username: str, password: str) -> bool:
    request = RequestFactory().post(reverse("login"))
    return authenticate(request, username=username, password=password) is not None


def test_add_street_staff_makes_an_account_of_the_street_and_logs_it(street, street_staff_carol):
    user, password = services.add_street_staff(
        street=street, username=" wang.li ", display_name="王丽", by=street_staff_carol
    )

    assert (user.username, user.first_name, user.is_staff, user.is_superuser) == (
        "wang.li",
        "王丽",
        False,
        False,
    )
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    assert user.password != password and can_sign_in("wang.li", password)
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.street, membership.district) == (
        "street_staff",
        street,
        street.district,
    )
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (
        street_staff_carol,
        ADDITION,
        str(user.pk),
    )
    assert street.name in entry.get_change_message()


def test_add_street_staff_refuses_a_taken_username_whatever_its_case(street, street_staff_carol):
    with pytest.raises(services.AccountRefused, match="CAROL"):
        services.add_street_staff(
            street=street, username="CAROL", display_name="另一个", by=street_staff_carol
        )
    assert User.objects.count() == 1
    assert not LogEntry.objects.exists()


def test_street_staff_add_a_colleague_from_the_page_and_see_the_password_once(
    client, street, street_staff_carol
):
    client.force_login(street_staff_carol)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{url_of(street)}"' in page  # in the navigation bar

    response = client.post(url_of(street), {"username": "li.na", "display_name": "李娜"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # nor kept by the browser
    password = response.context["password"]
    shown = response.content.decode()
    assert f'<code class="fs-5" id="new-password">{password}</code>' in shown
    assert list(response.context["staff"].values_list("username", flat=True)) == [
        "carol",
        "li.na",
    ]
    assert can_sign_in("li.na", password)
    assert Membership.objects.get(user__username="li.na").street == street
    # Shown once: the page again lists the colleague, never the password.
    again = client.get(url_of(street))
    assert "li.na" in again.content.decode() and password not in again.content.decode()


def test_the_page_refuses_a_taken_or_malformed_username_and_changes_nothing(
    client, street, street_staff_carol
):
    client.force_login(street_staff_carol)
    for username in ("Carol", "有 空格"):
        response = client.post(url_of(street), {"username": username, "display_name": "某人"})
        assert response.status_code == 200
        assert response.context["form"].errors["username"]
        assert response.context["password"] is None
    assert User.objects.count() == 1 and not LogEntry.objects.exists()


def test_only_the_streets_own_staff_may_add_to_it(
    client, street, street_staff_carol, street_staff_erin, district_dan, judge_bob, admin_alice
):
    assert permissions.can_add_colleague(street_staff_carol, street)
    assert permissions.can_add_colleague(admin_alice, street)
    for user in (street_staff_erin, district_dan, judge_bob):
        assert not permissions.can_add_colleague(user, street)
        client.force_login(user)
        assert client.get(url_of(street)).status_code == 404
        response = client.post(url_of(street), {"username": "x1", "display_name": "某人"})
        assert response.status_code == 404
    assert not User.objects.filter(username="x1").exists()
    assert not LogEntry.objects.exists()
