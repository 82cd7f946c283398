"""Fifty judges scoring at once over HTTP, through gunicorn, on PostgreSQL: every sheet lands
once, with its own points, even when PostgreSQL restarts in the middle and the phones send their
sheets again as the page's outbox does.
"""

import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F

from scoring.models import Score, ScoreSheet, SheetRevision
from tests.load import appserver
from tests.load.phone import Counter, Phone, Reply, points_for, sheet_fields

pytestmark = [pytest.mark.django_db(transaction=True), appserver.postgresql_only]

JUDGES = 50
CONTESTANTS = 12
DEADLINE = 90  # seconds for the whole panel to send every sheet, retries included


def score_everything(server, panel, settled: Counter) -> list[tuple[Phone, list[Reply]]]:
    """Every judge signs in with their card, then submits a sheet for each contestant in
    speaking order, one after the other as a phone's outbox sends them; all judges at once.
    Each judge's phone, with what it retried, and the server's last reply to each sheet."""
    competition = panel.competition
    criteria = list(competition.criteria.all())
    barrier = threading.Barrier(len(panel.cards))
    deadline = time.monotonic() + DEADLINE

    def judge(n: int, token: str) -> tuple[Phone, list[Reply]]:
        phone = Phone()
        try:
            signed_in = phone.sign_in_with_card(server.url(f"/card/{token}/"))
            assert signed_in.status == 200, signed_in.text[:500]
            assert signed_in.path == f"/judge/{competition.pk}/"
        except BaseException:
            barrier.abort()
            raise
        barrier.wait(DEADLINE)  # every judge signed in: now all of them score at once
        replies = []
        for c, contestant in enumerate(panel.contestants):
            fields = sheet_fields(points_for(n * CONTESTANTS + c, criteria), version=1)
            url = server.url(f"/judge/{competition.pk}/{contestant.pk}/")
            reply = phone.send_sheet(url, fields, deadline=deadline)
            replies.append(reply)
            if reply.status == 200:
                settled.add()
        return phone, replies

    with ThreadPoolExecutor(len(panel.cards)) as pool:
        jobs = [pool.submit(judge, n, token) for n, (_judge, token) in enumerate(panel.cards)]
        return [job.result() for job in jobs]


def expected_points(panel) -> dict[tuple[int, int], dict[str, Decimal]]:
    criteria = list(panel.competition.criteria.all())
    expected = {
        (judge.pk, contestant.pk): points_for(n * CONTESTANTS + c, criteria)
        for n, (judge, _token) in enumerate(panel.cards)
        for c, contestant in enumerate(panel.contestants)
    }
    # The points really differ from sheet to sheet, or a swap could go unseen.
    assert len({tuple(p.values()) for p in expected.values()}) == len(expected)
    return expected


def assert_every_sheet_stored_once(panel, outcomes) -> None:
    competition = panel.competition
    for phone, replies in outcomes:
        assert [r.status for r in replies] == [200] * CONTESTANTS, phone.failures
        assert {(r.json()["version"], r.json()["status"]) for r in replies} == {(1, "submitted")}
    expected = expected_points(panel)
    sheets = ScoreSheet.objects.filter(contestant__competition=competition)
    assert sheets.count() == JUDGES * CONTESTANTS == len(expected)
    assert set(sheets.values_list("status", "version", "entered_by")) == {("submitted", 1, None)}
    stored: dict[tuple[int, int], dict[str, Decimal]] = {}
    for judge_id, contestant_id, code, points in Score.objects.filter(
        sheet__contestant__competition=competition
    ).values_list("sheet__judge_id", "sheet__contestant_id", "criterion__code", "points"):
        stored.setdefault((judge_id, contestant_id), {})[code] = points
    assert stored == expected
    # Nothing doubled: one revision per sheet, by the judge, for version 1.
    revisions = SheetRevision.objects.filter(sheet__contestant__competition=competition)
    assert revisions.count() == len(expected)
    assert revisions.values("sheet").distinct().count() == len(expected)
    assert set(revisions.values_list("version", "old")) == {(1, None)}
    assert not revisions.exclude(by=F("sheet__judge__user")).exists()


def test_fifty_judges_submitting_at_once_store_every_sheet_once(server, panel):
    judges = panel(judges=JUDGES, contestants=CONTESTANTS)

    outcomes = score_everything(server, judges, Counter())

    failures = [f for phone, _replies in outcomes for f in phone.failures]
    assert failures == [], f"{len(failures)} sends failed:\n{server.log_tail()}"
    assert {r.json()["result"] for _phone, replies in outcomes for r in replies} == {"applied"}
    assert_every_sheet_stored_once(judges, outcomes)


def _why_postgresql_cannot_restart() -> str | None:
    if os.geteuid() != 0:
        return "restarting PostgreSQL needs root"
    if appserver.postgresql_cluster() is None:
        return "restarting PostgreSQL needs pg_ctlcluster and a cluster in /etc/postgresql"
    if shutil.which("pg_isready") is None:
        return "waiting for PostgreSQL after its restart needs pg_isready"
    if connection.settings_dict.get("HOST") not in ("127.0.0.1", "localhost"):
        return "the test database is not on the local cluster (127.0.0.1): it is not restarted"
    return None


CANNOT_RESTART = _why_postgresql_cannot_restart()


def pg_ctlcluster(action: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            appserver.postgresql_cluster(),
            "main",
            action,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def postgresql_ready(within: float) -> bool:
    db = connection.settings_dict
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ready = subprocess.run(  # noqa: S603 - fixed arguments
            ["pg_isready", "-q", "-h", db["HOST"], "-p", str(db.get("PORT") or 5432)],  # noqa: S607
            check=False,
        )
        if ready.returncode == 0:
            return True
        time.sleep(0.2)
    return False


def bring_postgresql_back() -> None:
    """Wait for the cluster; start it if the restart left it down (other work shares it)."""
    if not postgresql_ready(within=30):
        pg_ctlcluster("start")
        assert postgresql_ready(within=30), "PostgreSQL did not come back"
    # pytest's own connection died with the restart: the next query opens a new one.
    connection.close()


class Restart(threading.Thread):
    """Restarts the local PostgreSQL cluster once `settled` sheets have been stored."""

    def __init__(self, settled: Counter, at: int):
        super().__init__(daemon=True)
        self.settled, self.at = settled, at
        self.give_up = threading.Event()
        self.done: subprocess.CompletedProcess | None = None

    def run(self) -> None:
        while self.settled.value < self.at:
            if self.give_up.wait(0.02):
                return
        self.done = pg_ctlcluster("restart")


@pytest.mark.alone  # every other test's connection dies with the restart
@pytest.mark.skipif(CANNOT_RESTART is not None, reason=CANNOT_RESTART or "")
def test_sheets_sent_again_across_a_postgresql_restart_are_stored_once(server, panel):
    judges = panel(judges=JUDGES, contestants=CONTESTANTS)
    settled = Counter()
    restart = Restart(settled, at=JUDGES * CONTESTANTS // 3)
    restart.start()
    try:
        outcomes = score_everything(server, judges, settled)
    finally:
        restart.give_up.set()
        restart.join(90)
        bring_postgresql_back()

    assert restart.done is not None, "the restart never happened"
    assert restart.done.returncode == 0, restart.done.stderr
    failures = [f for phone, _replies in outcomes for f in phone.failures]
    # Not vacuous: the restart really failed requests, and the phones really sent them again.
    assert failures, "no send failed: the restart did not meet the judges' requests"
    assert_every_sheet_stored_once(judges, outcomes)
