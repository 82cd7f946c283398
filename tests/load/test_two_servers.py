"""Two app servers on one database, as behind a load balancer: a judge's session, sheet versions
and the wrong-code limit are the same whichever server answers. Each test runs with the servers
sharing the database cache, then with them sharing Redis (which also keeps the sessions).
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from scoring.ballots import services
from scoring.models import ScoreSheet
from tests.gunicorn_server import WORKERS
from tests.load import appserver
from tests.load.phone import Phone, points_for, sheet_fields, shown_sheet
from villages import throttle

pytestmark = [pytest.mark.django_db(transaction=True), appserver.postgresql_only]

DEADLINE = 30  # seconds for any one sheet to be sent
GUESSERS = 32  # wrong codes sent at once


def test_a_judge_moving_between_two_servers_sees_one_sheet(server, other_server, panel):
    judges = panel(judges=1, contestants=2)
    competition, contestant = judges.competition, judges.contestants[0]
    [(judge, token)] = judges.cards
    criteria = list(competition.criteria.all())
    a, b = server, other_server
    path = f"/judge/{competition.pk}/{contestant.pk}/"
    phone = Phone()

    def send(on, version: int, points):
        deadline = time.monotonic() + DEADLINE
        return phone.send_sheet(on.url(path), sheet_fields(points, version), deadline=deadline)

    def held(reply) -> dict:  # what the server says it holds, less the sheet's figures
        return {k: reply.json()[k] for k in ("result", "version", "status")}

    # Signed in on A, the session works on B.
    assert phone.sign_in_with_card(a.url(f"/card/{token}/")).path == f"/judge/{competition.pk}/"
    blank = phone.get(b.url(path))
    assert blank.status == 200
    assert shown_sheet(blank.text) == (0, {c.code: None for c in criteria})

    # Submitted on A, B shows the saved version.
    first = points_for(1, criteria)
    reply = send(a, 1, first)
    assert (reply.status, held(reply)) == (
        200,
        {"result": "applied", "version": 1, "status": "submitted"},
    )
    assert shown_sheet(phone.get(b.url(path)).text) == (1, first)

    # Version 3 lands on A; then version 2, held up on the way, reaches B: it is stale.
    second, third = points_for(2, criteria), points_for(3, criteria)
    assert held(send(a, 3, third)) == {"result": "applied", "version": 3, "status": "submitted"}
    stale = send(b, 2, second)
    assert (stale.status, held(stale)) == (
        409,
        {"result": "stale", "version": 3, "status": "submitted"},
    )
    # A resend of version 3 through B is a repeat, not a new revision.
    assert send(b, 3, third).json()["result"] == "duplicate"
    for on in (a, b):
        assert shown_sheet(phone.get(on.url(path)).text) == (3, third)
    sheet = ScoreSheet.objects.get(judge=judge, contestant=contestant)
    assert sheet.version == 3
    assert {s.criterion.code: s.points for s in sheet.scores.select_related("criterion")} == third
    assert list(sheet.revisions.values_list("version", flat=True)) == [1, 3]


def test_the_wrong_code_limit_counts_both_servers_together(
    server, other_server, panel, street_staff_carol
):
    judges = panel(judges=1, contestants=2)
    [(_judge, token)] = judges.cards
    [(_contestant, code), *_others] = services.issue_ballot_tokens(
        competition=judges.competition, per_contestant=1, by=street_staff_carol
    )
    servers = (server, other_server)
    phone = Phone()

    # Wrong sign-in cards, turn about on A and B: the limit is for both together.
    tries = [
        phone.get(servers[n % 2].url(f"/card/wrong-card-{n}/")).status
        for n in range(throttle.LIMIT)
    ]
    assert tries == [404] * throttle.LIMIT
    for on in servers:
        assert phone.get(on.url("/card/wrong-card-again/")).status == 429
        # A right card still works from the same address: only wrong ones are slowed.
        assert phone.get(on.url(f"/card/{token}/")).status == 200

    # Ballot codes are counted apart from cards, and the same way.
    assert phone.get(server.url("/ballot/")).status == 200
    tries = [
        phone.post(servers[n % 2].url("/ballot/"), {"code": f"WRONG{n}"}).status
        for n in range(throttle.LIMIT)
    ]
    assert tries == [403] * throttle.LIMIT
    for on in servers:
        assert phone.post(on.url("/ballot/"), {"code": "WRONGAGAIN"}).status == 429
        # A right code still opens its ballot.
        assert phone.post(on.url("/ballot/"), {"code": code}).status == 200


def test_wrong_codes_sent_at_once_to_both_servers_are_every_one_counted(server, other_server):
    servers = (server, other_server)

    def guess(n: int) -> int:
        return Phone().get(servers[n % 2].url(f"/card/wrong-card-{n}/")).status

    with ThreadPoolExecutor(GUESSERS) as pool:
        statuses = list(pool.map(guess, range(throttle.LIMIT + 4 * GUESSERS)))

    counted = statuses.count(404)
    assert statuses.count(429) == len(statuses) - counted
    # Every wrong code answered as such was counted: no count lost between the processes.
    assert appserver.shared_cache().get("guess:card:127.0.0.1") == counted
    # So the limit holds, give or take the guesses already past the check when it was reached:
    # at most one for each worker of the two servers.
    assert throttle.LIMIT <= counted < throttle.LIMIT + 2 * WORKERS


def test_signing_out_on_one_server_ends_the_session_on_both(server, other_server, panel):
    [(_judge, token)] = panel(judges=1, contestants=2).cards
    competition_id = _judge.competition_id
    phone = Phone()
    assert phone.sign_in_with_card(server.url(f"/card/{token}/")).status == 200
    for on in (server, other_server):
        assert phone.get(on.url(f"/judge/{competition_id}/")).path == f"/judge/{competition_id}/"
    stolen = Phone()  # a copy of the session cookie, as if taken from the phone
    stolen.jar.set_cookie(next(c for c in phone.jar if c.name == "sessionid"))

    assert phone.post(server.url("/accounts/logout/"), {}).status == 200

    for on in (server, other_server):
        assert stolen.get(on.url(f"/judge/{competition_id}/")).path == "/accounts/login/"
