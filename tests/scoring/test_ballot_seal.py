"""Once a contestant's voting ends, not even the database's own bookkeeping ties a ballot to its
token: on PostgreSQL no ballot shares a transaction id (xmin) with its token, and on either
database the ballots' physical order (ctid, SQLite's rowid) is not the order of casting.

Tests may read that bookkeeping with raw SQL: it is what they are about.
"""

import uuid
from collections import Counter
from functools import partial
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from competition import services as competition_services
from competition.models import Competition
from scoring.ballots import services
from scoring.ballots.services import BallotRefused, cast_ballot
from scoring.models import Ballot, BallotToken
from scoring.results import services as result_services
from tests.competition_setup import competition_in_scoring
from tests.scoring.test_concurrency import race

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="xmin and ctid are PostgreSQL's; the SQLite tests below read rowid",
)

CHOICES = ["excellent", "competent", "basic", "incompetent"]


def _competition_with_codes(staff, per_contestant: int = 30):
    competition = competition_in_scoring(street=staff.membership.street, staff=staff, contestants=2)
    issued = services.issue_ballot_tokens(
        competition=competition, per_contestant=per_contestant, by=staff
    )
    first, second = sorted({c.pk for c, _code in issued})
    return (
        competition,
        [code for c, code in issued if c.pk == first],
        [code for c, code in issued if c.pk == second],
    )


def _cast_in_order(first: list[str], second: list[str], count: int) -> list[uuid.UUID]:
    """Cast `count` ballots for the first contestant and a third as many for the second,
    interleaved, cycling through the choices; the ballots' keys in casting order."""
    cast = []
    for n in range(count):
        cast.append(cast_ballot(code=first[n], choice=CHOICES[n % 4]).pk)
        if n % 3 == 0:
            cast.append(cast_ballot(code=second[n // 3], choice=CHOICES[-1 - n % 4]).pk)
    return cast


def _physical_order() -> list[uuid.UUID]:
    """The ballots' keys in the order their rows lie in the table."""
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM scoring_ballot ORDER BY {position}")  # noqa: S608
        return [uuid.UUID(str(key)) for (key,) in cursor.fetchall()]


def _xmins(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [str(xmin) for (xmin,) in cursor.fetchall()]


def _contents():
    """What the rows say, which sealing must keep."""
    return (
        Counter(Ballot.objects.values_list("id", "contestant_id", "choice", "cast_on")),
        set(
            BallotToken.objects.values_list("id", "contestant_id", "token_hash", "used", "revoked")
        ),
    )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_after_closing_no_ballot_shares_a_transaction_or_an_order_with_its_token(
    street_staff_carol,
):
    competition, first, second = _competition_with_codes(street_staff_carol)
    cast = _cast_in_order(first, second, 30)
    assert len(cast) == 40
    ballot_xmins = "SELECT xmin FROM scoring_ballot"
    used_xmins = "SELECT xmin FROM scoring_ballottoken WHERE used"
    # Before: each ballot's transaction is its token's, and the rows lie in casting order.
    tokens_per_xmin = Counter(_xmins(used_xmins))
    assert all(tokens_per_xmin[xmin] == 1 for xmin in _xmins(ballot_xmins))
    assert _physical_order() == cast
    before = _contents()

    result_services.close_scoring(competition=competition, by=street_staff_carol, reason="投票结束")

    # After: one transaction wrote every ballot and every used token of both contestants,
    # and no other row; the unused tokens keep the issuing's.
    [sealed] = set(_xmins(ballot_xmins))
    assert set(_xmins(used_xmins)) == {sealed}
    assert sealed not in _xmins("SELECT xmin FROM scoring_ballottoken WHERE NOT used")
    # The rows lie in an order that is not the casting's (by chance: one in 40!), nor its reverse.
    order = _physical_order()
    assert sorted(order) == sorted(cast)
    assert order not in (cast, cast[::-1])
    assert _contents() == before  # the same ballots, the same tokens, nothing else changed
    assert Competition.objects.get(pk=competition.pk).status == Competition.Status.CLOSED


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_after_closing_no_old_row_version_keeps_the_casting_transactions(street_staff_carol):
    competition, first, second = _competition_with_codes(street_staff_carol, per_contestant=10)
    _cast_in_order(first, second, 10)
    casting = set(_xmins("SELECT xmin FROM scoring_ballot"))

    result_services.close_scoring(competition=competition, by=street_staff_carol, reason="投票结束")

    # VACUUM ran after the commit: the pages hold no tuple, live or dead, of those transactions.
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        stored = set()
        for table in ("scoring_ballot", "scoring_ballottoken"):
            cursor.execute(
                "SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table]
            )
            [(pages,)] = cursor.fetchall()
            for page in range(pages):
                cursor.execute(
                    "SELECT t_xmin FROM heap_page_items(get_raw_page(%s, %s))"
                    " WHERE t_xmin IS NOT NULL",
                    [table, page],
                )
                stored |= {str(xmin) for (xmin,) in cursor.fetchall()}
    assert casting and not casting & stored


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_casts_racing_the_close_are_sealed_or_refused(street_staff_carol):
    competition, first, _second = _competition_with_codes(street_staff_carol, per_contestant=12)

    # Each job returns the call that races (see race()).
    casts = [
        lambda code=code: partial(cast_ballot, code=code, choice="competent") for code in first
    ]

    def closing():
        return partial(
            result_services.close_scoring,
            competition=competition,
            by=street_staff_carol,
            reason="结束",
        )

    outcomes = race(*casts, closing)
    refused = [o.error.reason for o in outcomes[:-1] if o.error is not None]
    assert outcomes[-1].error is None
    assert set(refused) <= {"closed"}
    landed = Ballot.objects.count()
    assert landed == len(first) - len(refused) == BallotToken.objects.filter(used=True).count()
    # Every cast that landed did so before the close, and was sealed with the rest.
    if landed:
        [sealed] = set(_xmins("SELECT xmin FROM scoring_ballot"))
        assert set(_xmins("SELECT xmin FROM scoring_ballottoken WHERE used")) == {sealed}


@pytest.mark.django_db
def test_closing_from_the_staff_page_lays_the_ballots_in_a_random_order(client, street_staff_carol):
    competition, first, second = _competition_with_codes(street_staff_carol)
    cast = _cast_in_order(first, second, 30)
    assert _physical_order() == cast  # what a reader of the file saw until now
    before = _contents()

    client.force_login(street_staff_carol)
    client.post(
        reverse("scoring:transition", args=[competition.pk, "close"]),
        {"confirm": "on", "reason": "投票结束"},  # nobody scored: closing needs a reason
    )

    assert Competition.objects.get(pk=competition.pk).status == Competition.Status.CLOSED
    order = _physical_order()
    assert sorted(order) == sorted(cast)
    assert order not in (cast, cast[::-1])  # by chance: one in 40!
    assert _contents() == before
    with pytest.raises(BallotRefused, match="closed"):  # and nothing comes after the seal
        cast_ballot(code=second[-1], choice="excellent")


@pytest.mark.django_db
def test_withdrawing_a_contestants_tokens_seals_their_ballots_only(street_staff_carol):
    _competition, first, second = _competition_with_codes(street_staff_carol)
    cast = _cast_in_order(first, second, 30)
    contestant = BallotToken.objects.get(token_hash=services._ballot_hash(first[0])).contestant
    ours = set(Ballot.objects.filter(contestant=contestant).values_list("id", flat=True))
    theirs = [b for b in cast if b not in ours]
    before = _contents()

    revoked = services.revoke_ballot_tokens(contestant=contestant, by=street_staff_carol)

    assert revoked == 0  # all thirty of the first contestant's tokens were used
    order = _physical_order()
    # The other contestant's ballots, still being cast, stay where they were, in front.
    assert order[: len(theirs)] == theirs
    mine = order[len(theirs) :]
    in_casting_order = [b for b in cast if b in ours]
    assert sorted(mine) == sorted(in_casting_order)
    assert mine not in (in_casting_order, in_casting_order[::-1])  # by chance: one in 30!
    assert _contents() == before


@pytest.mark.django_db
def test_sqlite_overwrites_deleted_rows():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's pragma")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db(transaction=True)
def test_the_seal_command_seals_competitions_whose_voting_ended_before_sealing_existed(
    street_staff_carol,
):
    competition, first, second = _competition_with_codes(street_staff_carol)
    cast = _cast_in_order(first, second, 30)
    # Closed the old way, without a seal: as a database upgraded to this version holds them.
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    assert _physical_order() == cast
    before = _contents()
    out = StringIO()

    call_command("seal_ballots", "--full", stdout=out)

    assert "40" in out.getvalue()
    order = _physical_order()
    assert sorted(order) == sorted(cast)
    assert order not in (cast, cast[::-1])  # by chance: one in 40!
    assert _contents() == before
    if connection.vendor == "postgresql":
        [sealed] = set(_xmins("SELECT xmin FROM scoring_ballot"))
        assert set(_xmins("SELECT xmin FROM scoring_ballottoken WHERE used")) == {sealed}


@pytest.mark.django_db
def test_the_seal_command_leaves_competitions_still_voting_alone(street_staff_carol):
    _competition, first, second = _competition_with_codes(street_staff_carol)
    cast = _cast_in_order(first, second, 30)

    call_command("seal_ballots", stdout=StringIO())

    assert _physical_order() == cast  # voting goes on: sealed when it ends
