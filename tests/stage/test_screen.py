"""The big screen: its link's scope, its state answered 304 while nothing changed, and the
panel score only where the stage's settings allow it and every counting sheet is in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from competition.models import Competition
from scoring.results import services as result_services
from scoring.sheets.services import save_sheet
from stage import services
from stage.models import ScreenLink, Stage
from tests.competition_setup import competition_in_scoring, full_points

pytestmark = pytest.mark.django_db


def screen_link(competition, by) -> str:
    return reverse(
        "stage:screen_link", args=[services.issue_screen_link(competition=competition, by=by)]
    )


def state_url(competition) -> str:
    return reverse("stage:screen_state", args=[competition.pk])


def submit(competition, user, contestant, fraction=0.8):
    save_sheet(
        judge=competition.judges.get(user=user),
        contestant=contestant,
        points=full_points(competition, fraction),
        version=1,
        submit=True,
        by=user,
    )


@pytest.fixture
def other_competition(other_street, judge_alice):
    from tests.factories import MembershipFactory

    erin = MembershipFactory(
        user__username="erin",
        role="street_staff",
        district=other_street.district,
        street=other_street,
    ).user
    return competition_in_scoring(street=other_street, staff=erin, judges=[judge_alice])


def test_a_screen_link_opens_its_competitions_screen_without_a_password(
    client, competition, street_staff_carol
):
    link = screen_link(competition, street_staff_carol)
    assert client.get(link).url == reverse("stage:screen", args=[competition.pk])
    page = client.get(reverse("stage:screen", args=[competition.pk]))
    assert page.status_code == 200 and competition.title in page.content.decode()
    state = client.get(state_url(competition))
    assert state.status_code == 200 and state.json()["title"] == competition.title
    assert "_auth_user_id" not in client.session  # nobody is signed in
    # Read-only: the controller and everything else stays closed.
    assert client.get(reverse("stage:controller", args=[competition.pk])).status_code == 302
    client.post(reverse("stage:step", args=[competition.pk, "start"]))
    assert not Stage.objects.filter(contestant__isnull=False).exists()


def test_a_screen_link_does_not_open_another_competition(
    client, competition, other_competition, street_staff_carol
):
    client.get(screen_link(competition, street_staff_carol))
    assert client.get(reverse("stage:screen", args=[other_competition.pk])).status_code == 404
    assert client.get(state_url(other_competition)).status_code == 403


def test_a_revoked_screen_link_stops_at_once(client, competition, street_staff_carol):
    client.get(screen_link(competition, street_staff_carol))
    assert client.get(state_url(competition)).status_code == 200
    services.revoke_screen_link(link=ScreenLink.objects.get(), by=street_staff_carol)
    assert client.get(state_url(competition)).status_code == 403
    assert client.get(reverse("stage:screen", args=[competition.pk])).status_code == 404


def test_a_screen_link_ends_when_scoring_closes_and_a_reopen_does_not_revive_it(
    client, competition, street_staff_carol
):
    url = screen_link(competition, street_staff_carol)
    client.get(url)
    result_services.close_scoring(competition=competition, by=street_staff_carol, reason="测试")
    assert client.get(state_url(competition)).status_code == 403
    assert client.get(url).status_code == 404  # the link itself no longer signs in
    from competition.services import transition

    transition(competition=competition, action="reopen", by=street_staff_carol, reason="补录")
    assert Competition.objects.get(pk=competition.pk).status == "scoring"
    assert client.get(state_url(competition)).status_code == 403
    assert client.get(url).status_code == 404


def test_an_unknown_screen_link_signs_nothing_in(client, competition):
    assert client.get(reverse("stage:screen_link", args=["nope"])).status_code == 404
    assert client.get(state_url(competition)).status_code == 403


def test_the_state_is_answered_304_while_nothing_changed(
    client, competition, speakers, street_staff_carol, judge_alice
):
    client.get(screen_link(competition, street_staff_carol))
    first = client.get(state_url(competition))
    etag = first["ETag"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(state_url(competition), headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert int(again["X-Server-Time"]) > 0
    # session, competition, the link still works?, what the state depends on
    assert len(queries) == 4, [q["sql"] for q in queries]

    services.step(competition=competition, action="start", by=street_staff_carol)
    started = client.get(state_url(competition), headers={"if-none-match": etag})
    assert started.status_code == 200 and started["ETag"] != etag
    state = started.json()
    assert state["on_stage"]["name"] == speakers[0].secretary.name
    assert state["clock"]["running"] and state["clock"]["duration_ms"] == 300_000
    assert state["segment"] in ("述职", "现场述职", "duty report") or state["segment"]
    assert state["progress"] == {"submitted": 0, "expected": 2}
    assert [t["state"] for t in state["order"]] == ["current", "waiting", "waiting", "waiting"]

    # A judge's sheet coming in changes what the screen shows: the count.
    submit(competition, judge_alice, speakers[0])
    scored = client.get(state_url(competition), headers={"if-none-match": started["ETag"]})
    assert scored.status_code == 200 and scored.json()["progress"]["submitted"] == 1
    assert (
        client.get(state_url(competition), headers={"if-none-match": scored["ETag"]}).status_code
        == 304
    )


def test_the_state_carries_the_question_drawn_and_who_is_done(
    client, competition, speakers, street_staff_carol
):
    client.force_login(street_staff_carol)  # staff may watch the screen too
    services.add_question(
        competition=competition,
        criterion_code="political",
        text="如何带头？",
        by=street_staff_carol,
    )
    services.step(competition=competition, action="start", by=street_staff_carol)
    services.step(competition=competition, action="next_contestant", by=street_staff_carol)
    services.step(competition=competition, action="skip", by=street_staff_carol)
    services.draw_question(competition=competition, by=street_staff_carol)
    state = client.get(state_url(competition)).json()
    assert [t["state"] for t in state["order"]] == ["done", "absent", "current", "waiting"]
    assert state["question"]["text"] == "如何带头？"
    assert state["on_stage"]["name"] == speakers[2].secretary.name


def test_a_contestant_passed_over_without_the_clock_is_not_shown_as_done(
    client, competition, speakers, street_staff_carol
):
    client.force_login(street_staff_carol)
    services.step(competition=competition, action="start", by=street_staff_carol)
    services.step(competition=competition, action="next_contestant", by=street_staff_carol)
    services.step(competition=competition, action="next_contestant", by=street_staff_carol)

    state = client.get(state_url(competition)).json()

    assert [t["state"] for t in state["order"]][:3] == ["done", "passed", "current"]
    page = client.get(reverse("stage:controller", args=[competition.pk])).content.decode()
    assert "已过（未计时）" in page


@pytest.mark.parametrize("allowed", [False, True])
def test_the_panel_score_shows_only_when_allowed_and_every_counting_sheet_is_in(
    client, competition, speakers, street_staff_carol, judge_alice, judge_bob, allowed
):
    client.force_login(street_staff_carol)
    services.update_settings(
        competition=competition,
        minutes={"report": 5, "questions": 3, "comments": 2},
        show_panel_score=allowed,
        by=street_staff_carol,
    )
    services.step(competition=competition, action="start", by=street_staff_carol)
    submit(competition, judge_alice, speakers[0], 0.8)
    state = client.get(state_url(competition)).json()
    assert state["on_stage"]["score"] is None  # bob's sheet is not in yet
    submit(competition, judge_bob, speakers[0], 0.9)
    state = client.get(state_url(competition)).json()
    points = [full_points(competition, f) for f in (0.8, 0.9)]
    maximum = sum(c.max_points for c in competition.criteria.all())
    from decimal import ROUND_HALF_UP, Decimal

    percents = [sum(Decimal(v) for v in p.values()) * 100 / maximum for p in points]
    expected = ((percents[0] + percents[1]) / 2).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert state["on_stage"]["score"] == (f"{expected:.2f}" if allowed else None)
    services.step(competition=competition, action="next_contestant", by=street_staff_carol)
    state = client.get(state_url(competition)).json()
    assert state["order"][0]["score"] == (f"{expected:.2f}" if allowed else None)
    assert "grade" not in str(state) and "优秀" not in str(state)


def test_the_judges_pages_mark_who_is_on_stage(
    client, competition, speakers, street_staff_carol, judge_alice
):
    client.force_login(judge_alice)
    page = client.get(reverse("scoring:contestants", args=[competition.pk])).content.decode()
    assert 'id="on-stage-banner"' in page and "hidden>" in page.split('id="on-stage-banner"')[1]
    assert 'aria-current="true"' not in page
    services.step(competition=competition, action="start", by=street_staff_carol)
    page = client.get(reverse("scoring:contestants", args=[competition.pk])).content.decode()
    assert 'id="on-stage-banner"' in page and speakers[0].secretary.name in page
    assert page.count('aria-current="true"') == 1
    sheet = client.get(reverse("scoring:sheet", args=[competition.pk, speakers[2].pk]))
    banner = sheet.content.decode().split('id="on-stage-banner"')[1].split("</div>")[0]
    assert speakers[0].secretary.name in banner and speakers[0].village.name in banner
    # Scoring closed, the stage is over: nobody is marked on stage any more.
    competition.status = "closed"
    competition.save()
    page = client.get(reverse("scoring:contestants", args=[competition.pk])).content.decode()
    assert 'aria-current="true"' not in page


def test_the_panels_phones_may_follow_the_state_and_no_other_judge(
    client, competition, other_competition, street_staff_carol, judge_alice, judge_bob
):
    services.step(competition=competition, action="start", by=street_staff_carol)
    client.force_login(judge_bob)  # on this panel
    assert client.get(state_url(competition)).json()["on_stage"]["order"] == 1
    assert client.get(state_url(other_competition)).status_code == 403  # not on that one


@pytest.mark.parametrize("size", [3, 12])
def test_the_controller_and_the_full_state_make_a_fixed_number_of_queries(
    client, street_staff_carol, judge_alice, size
):
    competition = competition_in_scoring(
        street=street_staff_carol.membership.street,
        staff=street_staff_carol,
        judges=[judge_alice],
        contestants=size,
    )
    services.update_settings(
        competition=competition,
        minutes={"report": 5, "questions": 3, "comments": 2},
        show_panel_score=True,
        by=street_staff_carol,
    )
    services.add_question(
        competition=competition, criterion_code="political", text="题", by=street_staff_carol
    )
    services.step(competition=competition, action="start", by=street_staff_carol)
    services.draw_question(competition=competition, by=street_staff_carol)
    for contestant in competition.contestants.all()[:2]:
        submit(competition, judge_alice, contestant)
    client.force_login(street_staff_carol)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("stage:controller", args=[competition.pk]))
    assert len(page.context["turns"]) == size
    # session, user with their role, competition, stage with who is on it and whether scoring
    # closed while its clock ran, judges, recusals, sheets, contestants (for the counts),
    # criteria, the question on stage, the speaking order and whose clock ran, the live
    # screen links
    assert len(queries) == 14, "\n".join(q["sql"][:90] for q in queries)
    with CaptureQueriesContext(connection) as queries:
        state = client.get(state_url(competition)).json()
    assert len(state["order"]) == size
    # competition, session, user, what the state depends on; the stage and whether scoring
    # closed while its clock ran, the speaking order and whose clock ran, judges, recusals,
    # sheets, criteria and policy (for the scores), contestants, the question on stage, the
    # criteria's names
    assert len(queries) == 16, "\n".join(q["sql"][:90] for q in queries)
