"""Street staff close scoring while the judges send their last sheets, over HTTP through gunicorn
on PostgreSQL: each sheet is kept whole before the close, and counts in the closed competition,
or is refused whole; nothing is stored after the close; the close lands once.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from competition.models import Competition, Event
from scoring.models import Score, ScoreSheet, SheetRevision
from scoring.results import document as results
from tests.factories import PASSWORD
from tests.load import appserver
from tests.load.phone import Phone, points_for, sheet_fields

pytestmark = [pytest.mark.django_db(transaction=True), appserver.postgresql_only]

JUDGES = 16
CONTESTANTS = 4
EARLY = 2  # sheets each judge has sent before the close comes near
DEADLINE = 60  # seconds for each phase
# The judge is told in the words of their own sheet page (scoring/sheets/views.py, _not_scored).
REFUSED = "Scoring is not open: the competition is closed."


def stored_points(competition) -> dict[tuple[int, int], dict]:
    stored: dict[tuple[int, int], dict] = {}
    for judge_id, contestant_id, code, points in Score.objects.filter(
        sheet__contestant__competition=competition
    ).values_list("sheet__judge_id", "sheet__contestant_id", "criterion__code", "points"):
        stored.setdefault((judge_id, contestant_id), {})[code] = points
    return stored


def test_close_racing_the_last_sheets_keeps_each_sheet_whole_or_refuses_it_whole(
    server, panel, street_staff_carol
):
    judges = panel(judges=JUDGES, contestants=CONTESTANTS)
    competition = judges.competition
    criteria = list(competition.criteria.all())
    seats = [judge for judge, _token in judges.cards]
    deadline = time.monotonic() + 3 * DEADLINE

    def sheet(n: int, c: int, version: int = 1, number: int | None = None):
        url = server.url(f"/judge/{competition.pk}/{judges.contestants[c].pk}/")
        points = points_for(n * CONTESTANTS + c if number is None else number, criteria)
        return url, sheet_fields(points, version), points

    # Carol is signed in twice, on her desktop and on her phone: she will press close on both.
    desks = [Phone(), Phone()]
    for desk in desks:
        home = desk.sign_in(server.url("/accounts/login/"), "carol", PASSWORD)
        assert (home.status, home.path) == (200, "/"), home.text[:500]
    phones = [Phone() for _ in seats]

    def early(n: int) -> list[int]:
        signed_in = phones[n].sign_in_with_card(server.url(f"/card/{judges.cards[n][1]}/"))
        assert signed_in.path == f"/judge/{competition.pk}/", signed_in.text[:500]
        statuses = []
        for c in range(EARLY):
            url, fields, _points = sheet(n, c)
            statuses.append(phones[n].send_sheet(url, fields, deadline=deadline).status)
        return statuses

    with ThreadPoolExecutor(JUDGES) as pool:
        assert list(pool.map(early, range(JUDGES))) == [[200] * EARLY] * JUDGES

    # The race: every judge sends the remaining sheets; as soon as the first of them is in,
    # carol presses close on both devices while the others are still on their way.
    first_in = threading.Event()
    barrier = threading.Barrier(JUDGES)

    def last(n: int):
        barrier.wait(DEADLINE)
        replies = {}
        for c in range(EARLY, CONTESTANTS):
            url, fields, _points = sheet(n, c)
            replies[c] = phones[n].send_sheet(url, fields, deadline=deadline)
            first_in.set()
        return replies

    def close(desk: Phone):
        assert first_in.wait(DEADLINE)
        return desk.post(
            server.url(f"/competitions/{competition.pk}/do/close/"),
            {"confirm": "on", "reason": "评分结束"},
        )

    with ThreadPoolExecutor(JUDGES + len(desks)) as pool:
        racing = [pool.submit(last, n) for n in range(JUDGES)]
        closing = [pool.submit(close, desk) for desk in desks]
        racing = [job.result() for job in racing]
        closing = [job.result() for job in closing]

    # After the close: each judge tries to change the first sheet, and is refused.
    def late(n: int):
        url, fields, _points = sheet(n, 0, version=2, number=JUDGES * CONTESTANTS + n)
        return phones[n].send_sheet(url, fields, deadline=deadline)

    with ThreadPoolExecutor(JUDGES) as pool:
        refused_late = list(pool.map(late, range(JUDGES)))

    # The close landed once: one press closed it, the other was told it already was.
    competition.refresh_from_db()
    assert competition.status == Competition.Status.CLOSED
    [closed] = competition.events.filter(kind=Event.Kind.CLOSED)
    assert [(r.status, r.path) for r in closing] == [(200, f"/competitions/{competition.pk}/")] * 2
    outcomes = sorted("alert-success" in r.text for r in closing)
    assert outcomes == [False, True], [r.text for r in closing]
    [refused] = [r.text for r in closing if "alert-success" not in r.text]
    assert "alert-danger" in refused and "Not possible now: the competition is closed" in refused

    # Each racing sheet was kept whole before the close (200) or refused whole (403).
    stored = stored_points(competition)
    expected = {}
    for n, replies in enumerate(racing):
        for c, reply in replies.items():
            key = (seats[n].pk, judges.contestants[c].pk)
            assert reply.status in (200, 403), (reply.status, reply.text[:500])
            if reply.status == 200:
                assert reply.json()["result"] == "applied"
                expected[key] = sheet(n, c)[2]
            else:
                assert reply.json()["errors"] == {"refused": REFUSED}
                assert key not in stored
    assert expected, "no sheet sent in the race was kept: the close came before them all"
    for n in range(JUDGES):
        for c in range(EARLY):
            expected[(seats[n].pk, judges.contestants[c].pk)] = sheet(n, c)[2]

    # Nothing was stored after the close: the late changes were refused and changed nothing.
    assert {r.status for r in refused_late} == {403}
    assert {r.json()["errors"]["refused"] for r in refused_late} == {REFUSED}
    assert stored == expected
    sheets = ScoreSheet.objects.filter(contestant__competition=competition)
    assert set(sheets.values_list("status", "version")) == {("submitted", 1)}
    revisions = SheetRevision.objects.filter(sheet__contestant__competition=competition)
    assert revisions.count() == sheets.count() == len(expected)
    assert not revisions.filter(at__gt=closed.at).exists()

    # What was kept counts in the closed competition's results.
    document = results.build_document(competition)
    names = {judge.pk: judge.display_name for judge in seats}
    # The rows come in rank order: find each contestant's by its village code.
    by_code = {row["village_code"]: row for row in document["contestants"]}
    for contestant in judges.contestants:
        counted = sorted(s["judge"] for s in by_code[contestant.village.code]["sheets"])
        kept = sorted(names[j] for j, cid in expected if cid == contestant.pk)
        assert counted == kept
