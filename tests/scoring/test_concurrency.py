"""Writes at the same moment: a phone resending its sheet, versions overtaking each other, saves
racing the close, a sign-in card tapped twice. The server keeps each write once, never lets an
older version replace a newer one, and leaves nothing half-written.

The races need writers that really run at once: PostgreSQL, each thread on its own connection.
SQLite lets one writer in at a time, so there only the plain resend runs, and only on a file
database: an in-memory test database cannot be shared between threads.
"""

import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import pairwise

import pytest
from django.db import connection, transaction

from competition import services as competition_services
from competition.models import Competition, Contestant, Event, Judge, Problem, SignInCard
from competition.services import ActionRefused
from scoring.models import Score, ScoreSheet, SheetRevision
from scoring.sheets import services
from tests.competition_setup import competition_in_scoring, full_points
from tests.factories import StreetFactory, UserFactory

# Transactional: each thread commits on its own connection, which one test-wide transaction would
# hide. (The flush after each such test removes the default scheme; competition_in_scoring puts
# it back.)
pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite lets one writer in at a time, so this race cannot happen",
)

WAIT = 10  # seconds: for the threads to meet at the barrier, and for all of them to finish


@dataclass
class Outcome:
    result: object = None
    error: BaseException | None = None


def race(*jobs) -> list[Outcome]:
    """Run each job in its own thread, released together; one Outcome per job, in order.

    A job runs first in its thread to load its own rows on its own connection, and returns the
    call that races: the barrier holds every call until all threads are ready.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes = [Outcome() for _ in jobs]

    def run(job, outcome: Outcome) -> None:
        try:
            try:
                connection.ensure_connection()
                call = job()
            except BaseException:
                barrier.abort()
                raise
            barrier.wait(WAIT)
            outcome.result = call()
        except BaseException as exc:
            outcome.error = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(job, outcome), daemon=True)
        for job, outcome in zip(jobs, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WAIT
    for thread in threads:
        thread.join(max(0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
    return outcomes


def saving(judge: Judge, contestant: Contestant, points: dict[str, str], version: int, **extra):
    """A job: the judge submits a sheet; the thread loads its own judge and contestant."""

    def prepare():
        own_judge = Judge.objects.select_related("user").get(pk=judge.pk)
        own_contestant = Contestant.objects.select_related("competition").get(pk=contestant.pk)
        return partial(
            services.save_sheet,
            judge=own_judge,
            contestant=own_contestant,
            points=points,
            version=version,
            submit=True,
            by=own_judge.user,
            **extra,
        )

    return prepare


def closing(competition: Competition, by):
    """A job: staff close the competition."""

    def prepare():
        own = Competition.objects.get(pk=competition.pk)
        return partial(competition_services.transition, competition=own, action="close", by=by)

    return prepare


def decimals(points: dict[str, str]) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in points.items()}


def points_on(sheet: ScoreSheet) -> dict[str, Decimal]:
    return {s.criterion.code: s.points for s in sheet.scores.select_related("criterion")}


def errors(outcomes: list[Outcome]) -> list[BaseException]:
    return [o.error for o in outcomes if o.error is not None]


@pytest.fixture
def judge_alice(db):
    return UserFactory(username="judge_alice", first_name="王建华")


@pytest.fixture
def competition(street, street_staff_carol, judge_alice):
    """In scoring, three contestants, judge_alice alone on the panel."""
    return competition_in_scoring(street=street, staff=street_staff_carol, judges=[judge_alice])


def test_same_sheet_sent_from_two_threads_lands_once(competition):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "an in-memory SQLite test database cannot be shared between threads: a second"
            " writer gets 'database table is locked' instead of waiting; use a file TEST NAME"
        )
    judge = competition.judges.get()
    contestant = competition.contestants.order_by("order").first()
    points = full_points(competition)

    outcomes = race(*[saving(judge, contestant, points, 1) for _ in range(2)])

    assert errors(outcomes) == []
    assert sorted(o.result.applied for o in outcomes) == [False, True]
    sheet = ScoreSheet.objects.get()
    assert sheet.version == 1
    assert points_on(sheet) == decimals(points)
    assert list(SheetRevision.objects.values_list("version", flat=True)) == [1]


@postgresql_only
@pytest.mark.parametrize("drafts", [0, 1], ids=["first-save", "over-a-draft"])
def test_same_sheet_sent_eight_times_at_once_lands_once(competition, drafts):
    judge = competition.judges.get()
    contestant = competition.contestants.order_by("order").first()
    for version in range(1, drafts + 1):
        services.save_sheet(
            judge=judge,
            contestant=contestant,
            points=full_points(competition, fraction=0.5),
            version=version,
            submit=False,
            by=judge.user,
        )
    version = drafts + 1
    points = full_points(competition)
    problems = ["村道路灯损坏，群众反映多次未修"]

    outcomes = race(
        *[saving(judge, contestant, points, version, problems=problems) for _ in range(8)]
    )

    assert errors(outcomes) == []
    assert sorted(o.result.applied for o in outcomes) == [False] * 7 + [True]
    # The repeats are answered as resends of the version the server holds, not as stale.
    assert [o.result.stale for o in outcomes] == [False] * 8
    assert {o.result.version for o in outcomes} == {version}
    sheet = ScoreSheet.objects.get()
    assert (sheet.judge, sheet.contestant) == (judge, contestant)
    assert sheet.status == ScoreSheet.Status.SUBMITTED
    assert sheet.version == version
    assert points_on(sheet) == decimals(points)
    assert Score.objects.count() == len(points)
    assert sheet.revisions.filter(version=version).count() == 1
    assert SheetRevision.objects.count() == drafts + 1
    assert list(Problem.objects.values_list("text", flat=True)) == problems


@postgresql_only
def test_racing_versions_never_let_an_older_one_replace_a_newer_one(competition):
    judge = competition.judges.get()
    contestant = competition.contestants.order_by("order").first()
    versions = range(1, 9)
    # Each version its own points: 55 % of each maximum for version 1, up to 90 % for version 8.
    sent = {v: full_points(competition, fraction=0.5 + v / 20) for v in versions}
    assert len({tuple(p.values()) for p in sent.values()}) == len(versions)

    outcomes = race(*[saving(judge, contestant, sent[v], v) for v in versions])

    assert errors(outcomes) == []
    applied = [v for v, o in zip(versions, outcomes, strict=True) if o.result.applied]
    refused = [o.result for o in outcomes if not o.result.applied]
    assert 8 in applied
    assert all(r.stale for r in refused)
    sheet = ScoreSheet.objects.get()
    assert sheet.version == 8
    assert points_on(sheet) == decimals(sent[8])
    assert Score.objects.count() == len(sent[8])

    revisions = list(sheet.revisions.all())
    assert len(revisions) == len(applied)
    assert sorted(r.version for r in revisions) == sorted(applied)
    assert all(a.version < b.version for a, b in pairwise(revisions))
    # The audit trail is one unbroken chain: each revision starts where the one before ended.
    assert revisions[0].old is None
    assert all(b.old == a.new for a, b in pairwise(revisions))
    assert decimals(revisions[-1].new["points"]) == decimals(sent[8])


@postgresql_only
def test_saves_racing_the_close_are_kept_whole_or_refused_whole(
    street, street_staff_carol, judge_alice, judge_bob
):
    for _round in range(5):
        competition = competition_in_scoring(
            street=StreetFactory(district=street.district),
            staff=street_staff_carol,
            contestants=4,
            judges=[judge_alice, judge_bob],
        )
        pairs = [(j, c) for j in competition.judges.all() for c in competition.contestants.all()]
        points = full_points(competition)

        close, *saves = race(
            closing(competition, street_staff_carol),
            *[saving(judge, contestant, points, 1) for judge, contestant in pairs],
        )

        assert close.error is None
        competition.refresh_from_db()
        assert competition.status == Competition.Status.CLOSED
        closed = competition.events.get(kind=Event.Kind.CLOSED)
        kept = 0
        for (judge, contestant), outcome in zip(pairs, saves, strict=True):
            sheets = ScoreSheet.objects.filter(judge=judge, contestant=contestant)
            if outcome.error is None:
                assert outcome.result.applied
                sheet = sheets.get()
                assert points_on(sheet) == decimals(points)
                [revision] = sheet.revisions.all()
                assert revision.version == 1
                # Kept means written before the close: no judge edits a closed competition.
                assert revision.at <= closed.at
                kept += 1
            else:
                assert isinstance(outcome.error, ActionRefused), outcome.error
                assert not sheets.exists()
        # Nothing else was written: no scores or revisions hanging off a sheet that was refused.
        in_competition = {"sheet__contestant__competition": competition}
        assert ScoreSheet.objects.filter(contestant__competition=competition).count() == kept
        assert Score.objects.filter(**in_competition).count() == kept * len(points)
        assert SheetRevision.objects.filter(**in_competition).count() == kept


@postgresql_only
def test_sign_in_card_tapped_ten_times_at_once_signs_in_once(competition, street_staff_carol):
    [(judge, token)] = competition_services.issue_cards(
        competition=competition, by=street_staff_carol
    )

    outcomes = race(*[lambda: partial(competition_services.redeem_card, token=token)] * 10)

    assert errors(outcomes) == []
    signed_in = [o.result for o in outcomes if o.result is not None]
    assert signed_in == [judge]
    card = SignInCard.objects.get()
    assert card.used_at is not None
    # Used means used: a later tap changes nothing.
    assert competition_services.redeem_card(token=token) is None
    assert SignInCard.objects.get().used_at == card.used_at


@postgresql_only
def test_one_ballot_token_cast_twenty_times_at_once_makes_one_ballot(
    competition, street_staff_carol
):
    from scoring.ballots.services import BallotRefused, cast_ballot, issue_ballot_tokens
    from scoring.models import Ballot, BallotToken

    [(contestant, code), *_rest] = issue_ballot_tokens(
        competition=competition, per_contestant=1, by=street_staff_carol
    )

    outcomes = race(*[lambda: partial(cast_ballot, code=code, choice="excellent")] * 20)

    landed = [o for o in outcomes if o.error is None]
    refused = [o for o in outcomes if isinstance(o.error, BallotRefused)]
    assert len(landed) == 1 and len(refused) == 19
    assert {o.error.reason for o in refused} == {"used"}
    assert Ballot.objects.filter(contestant=contestant).count() == 1
    assert BallotToken.objects.filter(used=True).count() == Ballot.objects.count() == 1


@postgresql_only
def test_judges_save_side_by_side_while_a_close_waits_for_saves_in_progress(
    street, street_staff_carol, judge_alice
):
    """A save in progress holds the competition shared: another judge's save goes through
    meanwhile, and the close waits until the save in progress has committed."""
    judge_bea = UserFactory(username="judge_bea")
    competition = competition_in_scoring(
        street=street, staff=street_staff_carol, judges=[judge_alice, judge_bea]
    )
    alice, bea = competition.judges.order_by("pk")
    first = competition.contestants.order_by("order").first()
    points = full_points(competition)
    holding, release = threading.Event(), threading.Event()

    def slow_save():  # alice's save, held open inside its transaction
        try:
            with transaction.atomic():
                services.save_sheet(
                    judge=Judge.objects.get(pk=alice.pk),
                    contestant=Contestant.objects.get(pk=first.pk),
                    points=points,
                    version=1,
                    submit=True,
                    by=judge_alice,
                )
                holding.set()
                release.wait(WAIT)
        finally:
            connection.close()

    def close():
        try:
            own = Competition.objects.get(pk=competition.pk)
            competition_services.transition(competition=own, action="close", by=street_staff_carol)
        finally:
            connection.close()

    saver = threading.Thread(target=slow_save, daemon=True)
    saver.start()
    assert holding.wait(WAIT)
    started = time.monotonic()
    services.save_sheet(  # bea's save does not wait for alice's
        judge=bea, contestant=first, points=points, version=1, submit=True, by=judge_bea
    )
    assert time.monotonic() - started < 2
    closer = threading.Thread(target=close, daemon=True)
    closer.start()
    closer.join(1)
    assert closer.is_alive(), "the close went through while a save was in progress"
    release.set()
    saver.join(WAIT)
    closer.join(WAIT)
    assert not closer.is_alive()
    competition.refresh_from_db()
    assert competition.status == Competition.Status.CLOSED
    assert (
        ScoreSheet.objects.filter(judge__competition=competition, status="submitted").count() == 2
    )


@postgresql_only
def test_a_save_waiting_on_a_withdrawal_is_refused_whole(competition, street_staff_carol):
    """The phone loaded the seat before staff withdrew the judge; its save comes while the
    withdrawal is still being written, waits for it, and is then refused."""
    seat = competition.judges.get()
    contestant = competition.contestants.order_by("order").first()
    withdrawn = threading.Event()
    outcomes = [Outcome(), Outcome()]

    def withdraw() -> None:
        try:
            with transaction.atomic():
                competition_services.withdraw_judge(
                    judge=Judge.objects.get(pk=seat.pk), reason="临时有公务", by=street_staff_carol
                )
                withdrawn.set()
                time.sleep(0.5)  # the save arrives meanwhile and waits for the lock
        except BaseException as exc:
            outcomes[0].error = exc
        finally:
            withdrawn.set()
            connection.close()

    def save() -> None:
        try:
            prepared = saving(seat, contestant, full_points(competition), 1)()
            withdrawn.wait(WAIT)
            outcomes[1].result = prepared()
        except BaseException as exc:
            outcomes[1].error = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=f, daemon=True) for f in (withdraw, save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)

    assert outcomes[0].error is None
    assert isinstance(outcomes[1].error, ActionRefused), outcomes[1]
    assert not ScoreSheet.objects.filter(judge=seat).exists()
    assert not SheetRevision.objects.filter(sheet__judge=seat).exists()


@postgresql_only
def test_judges_raising_the_same_problem_at_once_make_one_problem(street, street_staff_carol):
    users = UserFactory.create_batch(4)
    competition = competition_in_scoring(street=street, staff=street_staff_carol, judges=users)
    contestant = competition.contestants.order_by("order").first()
    judges = list(competition.judges.order_by("pk"))
    points = full_points(competition)
    # The first judge's line is taken out while the others raise it: it stays, theirs.
    services.save_sheet(
        judge=judges[0],
        contestant=contestant,
        points=points,
        version=1,
        submit=False,
        problems=["村道路灯损坏"],
        by=judges[0].user,
    )

    outcomes = race(
        saving(judges[0], contestant, points, 2, problems=[]),
        *[saving(judge, contestant, points, 1, problems=["村道路灯损坏 "]) for judge in judges[1:]],
    )

    assert errors(outcomes) == []
    problem = Problem.objects.get()
    assert sorted(j.pk for j in problem.raisers.all()) == [j.pk for j in judges[1:]]
