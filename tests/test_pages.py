"""Pages of published documents kept for each reader (config/pages.py), seen on the rankings."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory
from tests.scoring.test_rankings import publish

pytestmark = pytest.mark.django_db
PAGE = {"year": 2026, "quarter": 1}
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def ranked(street, district_dan):
    return publish(street, 2026, 1, {"A": "91.00", "B": "72.00"}, district_dan)


def _rankings(client):
    return client.get(reverse("scoring:rankings"), PAGE)


def test_each_serving_carries_a_fresh_token_that_the_form_accepts(ranked, district_dan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district_dan)
    first, again = _rankings(client), _rankings(client)
    assert again.context is None  # served as kept
    tokens = TOKEN.findall(first.content) + TOKEN.findall(again.content)
    # The language switch, sign-out and "advance" forms: each serving has its own masked token.
    assert len(tokens) == 6 and len(set(tokens[:3])) == 1 and tokens[0] != tokens[3]
    # The kept page's token is this session's: its language switch works.
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens[3].decode()},
    )
    assert response.status_code == 302
    assert "Rankings" in _rankings(client).content.decode()  # and the page follows the language


def test_a_reader_never_sees_anothers_frame(ranked, district_dan, street):
    erin = MembershipFactory(
        user__username="erin",
        user__first_name="艾琳",
        role="district_staff",
        district=street.district,
        street=None,
    ).user
    dan, other = Client(), Client()
    dan.force_login(district_dan)
    other.force_login(erin)
    _rankings(dan)
    shown = _rankings(other).content.decode()
    assert "艾琳" in shown and ">dan<" not in shown
    assert "91.00" in shown


def test_a_renamed_reader_sees_the_new_name(client, ranked, district_dan):
    client.force_login(district_dan)
    _rankings(client)
    district_dan.first_name = "丹新名"
    district_dan.save()
    assert "丹新名" in _rankings(client).content.decode()


def test_a_page_with_a_waiting_message_shows_it_once_and_is_not_kept(client, ranked, district_dan):
    client.force_login(district_dan)
    _rankings(client)  # kept
    client.post(reverse("scoring:advance"), {"year": "x", "quarter": "1"})  # a message waits
    with_message = _rankings(client)
    assert with_message.context is not None  # rendered, not served as kept
    assert 'role="alert"' in with_message.content.decode()
    assert 'role="alert"' not in _rankings(client).content.decode()
