"""Pages of published documents answer a reload of an unchanged page with 304, for each reader
(scoring/results/published.py), seen on the rankings."""

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


def _reload(client, page):
    return client.get(reverse("scoring:rankings"), PAGE, headers={"if-none-match": page["ETag"]})


def test_a_page_kept_by_the_browser_keeps_a_token_that_the_form_accepts(ranked, district_dan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district_dan)
    first = _rankings(client)
    assert _reload(client, first).status_code == 304  # the browser shows the page it has
    tokens = TOKEN.findall(first.content)
    # The language switch, sign-out and "advance" forms: one token for the serving.
    assert len(tokens) == 3 and len(set(tokens)) == 1
    # The kept page's token is this session's: its language switch works.
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens[0].decode()},
    )
    assert response.status_code == 302
    english = _reload(client, first)  # and the page follows the language
    assert english.status_code == 200 and "Rankings" in english.content.decode()


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
    shown = _reload(other, _rankings(dan))
    assert shown.status_code == 200
    assert "艾琳" in shown.content.decode() and ">dan<" not in shown.content.decode()
    assert "91.00" in shown.content.decode()


def test_a_renamed_reader_sees_the_new_name(client, ranked, district_dan):
    client.force_login(district_dan)
    first = _rankings(client)
    district_dan.first_name = "丹新名"
    district_dan.save()
    assert "丹新名" in _reload(client, first).content.decode()


def test_a_page_with_a_waiting_message_shows_it_once(client, ranked, district_dan):
    client.force_login(district_dan)
    first = _rankings(client)
    client.post(reverse("scoring:advance"), {"year": "x", "quarter": "1"})  # a message waits
    with_message = _reload(client, first)
    assert with_message.status_code == 200 and "ETag" not in with_message
    assert 'role="alert"' in with_message.content.decode()
    assert _reload(client, first).status_code == 304  # shown once; the page is as it was


def test_a_new_publication_changes_the_page(client, ranked, district_dan, other_street):
    client.force_login(district_dan)
    first = _rankings(client)
    publish(other_street, 2026, 1, {"C": "95.00"}, district_dan)  # another street's results
    again = _reload(client, first)
    assert again.status_code == 200 and "95.00" in again.content.decode()


def test_the_notice_answers_a_reload_with_304_until_a_correction(client, ranked, district_dan):
    client.force_login(district_dan)
    url = reverse("notice:printed", args=[ranked.pk])
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    ranked.publications.update(digest="f" * 64)  # as a new version would change it
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and "f" * 64 in again.content.decode()
