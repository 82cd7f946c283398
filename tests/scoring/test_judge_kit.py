"""The kit a judge's phone keeps to score offline, and the service worker that serves it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competition import services as competition_services
from scoring.sheets.services import save_sheet
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import StreetFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = {"accept": "application/json"}


@pytest.fixture
def judge_alice(db):
    return UserFactory(username="alice_judge", first_name="王建华")


@pytest.fixture
def competition(street_staff_carol, judge_alice):
    return competition_in_scoring(
        street=street_staff_carol.membership.street, staff=street_staff_carol, judges=[judge_alice]
    )


def kit_url(competition):
    return reverse("scoring:kit", args=[competition.pk])


def test_the_kit_holds_contestants_in_order_criteria_and_the_judges_own_sheets(
    client, competition, judge_alice
):
    seat = competition.judges.get()
    first, second, third = competition.contestants.order_by("order")
    typed = {"political": "17.5", "organization": "16", "governance": "8"}
    save_sheet(
        judge=seat,
        contestant=second,
        points=typed,
        comment="讲得实在",
        problems=["道路未硬化"],
        version=3,
        submit=False,
        by=judge_alice,
    )
    client.force_login(judge_alice)
    kit = client.get(kit_url(competition), headers=JSON).json()
    assert [c["id"] for c in kit["contestants"]] == [first.pk, second.pk, third.pk]
    assert kit["contestants"][0]["name"] == first.secretary.name
    assert kit["competition"]["maximum"] == "110"
    assert kit["competition"]["status"] == "scoring"
    criteria = {c["code"]: c for c in kit["criteria"]}
    assert criteria["political"]["max"] == "20" and criteria["political"]["guidance"]
    assert criteria["governance"]["max"] == "10"
    assert kit["sheets"] == {
        str(second.pk): {
            "version": 3,
            "status": "draft",
            "points": typed,
            "comment": "讲得实在",
            "problems": ["道路未硬化"],
        }
    }
    assert kit["seat"] == {"id": seat.pk, "active": True}


def test_an_unchanged_kit_is_answered_304_and_a_change_gives_a_new_etag(
    client, competition, judge_alice
):
    client.force_login(judge_alice)
    first = client.get(kit_url(competition), headers=JSON)
    again = client.get(kit_url(competition), headers=JSON | {"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    save_sheet(
        judge=competition.judges.get(),
        contestant=competition.contestants.first(),
        points=full_points(competition),
        version=1,
        submit=True,
        by=judge_alice,
    )
    changed = client.get(kit_url(competition), headers=JSON | {"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert len(changed.json()["sheets"]) == 1


def test_the_kit_of_another_panel_is_refused_clearly(client, competition, street_staff_carol):
    judge_bob = UserFactory(username="bob_judge")
    client.force_login(judge_bob)
    reply = client.get(kit_url(competition), headers=JSON)
    assert reply.status_code == 403
    assert reply.json() == {"result": "refused", "error": "您不在这场擂台赛的评委组中。"}
    assert "contestants" not in reply.json()


def test_a_signed_out_kit_request_is_answered_in_json(client, competition):
    reply = client.get(kit_url(competition), headers=JSON)
    assert reply.status_code == 401 and reply.json()["result"] == "signed_out"
    assert reply.json()["login"].startswith(reverse("login"))


def test_a_card_session_gets_only_its_own_competitions_kit(
    client, competition, judge_alice, street_staff_carol
):
    street = street_staff_carol.membership.street
    other = competition_in_scoring(
        street=StreetFactory(district=street.district),
        staff=street_staff_carol,
        judges=[judge_alice],
    )
    [(seat, token)] = competition_services.issue_cards(
        competition=competition, by=street_staff_carol
    )
    client.post(reverse("competition:card", args=[token]))
    assert client.get(kit_url(competition), headers=JSON).status_code == 200
    assert client.get(kit_url(other), headers=JSON).status_code == 403


@pytest.mark.parametrize("size", [3, 12])
def test_the_kit_makes_a_fixed_number_of_queries(client, street_staff_carol, judge_alice, size):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        contestants=size,
        judges=[judge_alice],
    )
    seat = competition.judges.get()
    for contestant in competition.contestants.all()[:2]:
        save_sheet(
            judge=seat,
            contestant=contestant,
            points=full_points(competition),
            version=1,
            submit=True,
            by=judge_alice,
        )
    client.force_login(judge_alice)
    with CaptureQueriesContext(connection) as queries:
        kit = client.get(kit_url(competition), headers=JSON).json()
    assert len(kit["contestants"]) == size and len(kit["sheets"]) == 2
    # session, user with their role, seat with its competition, criteria, recusals,
    # contestants, sheets, their scores, problems carried over
    assert len(queries) == 9, "\n".join(q["sql"][:90] for q in queries)


def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    reply = client.get("/sw.js")
    assert reply["Content-Type"].startswith("text/javascript")
    assert reply["Service-Worker-Allowed"] == "/"
    assert "no-cache" in reply["Cache-Control"]
    body = reply.content.decode()
    assert 'var ROOT = "/judge/"' in body and "leitai-judge-" in body
    assert "Content-Security-Policy" in reply
