"""Sessions with Redis (CACHE=redis://…): kept in the database too, so they outlive Redis."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_signed_in_pages_work_from_the_database_while_redis_is_down(
    client, street_staff_carol, street, redis_down, caplog
):
    signed_in = client.post(reverse("login"), {"username": "carol", "password": PASSWORD})
    assert signed_in.url == reverse("home")
    assert Session.objects.count() == 1

    home = client.get(reverse("home"))
    assert home.wsgi_request.user == street_staff_carol
    assert street.name in home.content.decode()

    client.post(reverse("logout"))
    assert not Session.objects.exists()
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
    assert "session cache unavailable" in caplog.text
