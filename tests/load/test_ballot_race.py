"""One ballot code cast from twenty phones at once, over HTTP through gunicorn on PostgreSQL:
one ballot is stored, the token is used, and every other phone is told the code was used.
"""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from scoring.ballots import services
from scoring.models import Ballot, BallotToken
from tests.load import appserver
from tests.load.phone import Phone

pytestmark = [pytest.mark.django_db(transaction=True), appserver.postgresql_only]

PHONES = 20
REASON = re.compile(r'class="[^"]*ballot-refused[^"]*" data-reason="(\w+)"')


def test_one_ballot_code_cast_twenty_times_at_once_makes_one_ballot(
    server, panel, street_staff_carol
):
    competition = panel(judges=1, contestants=3).competition
    services.set_democratic(competition=competition, enabled=True, by=street_staff_carol)
    [(contestant, code), *_others] = services.issue_ballot_tokens(
        competition=competition, per_contestant=1, by=street_staff_carol
    )
    phones = [Phone() for _ in range(PHONES)]
    barrier = threading.Barrier(PHONES)

    def cast(phone: Phone):
        assert phone.get(server.url("/ballot/")).status == 200  # the code page sets the cookie
        barrier.wait(30)
        return phone.post(
            server.url("/ballot/"), {"code": code, "choice": "excellent", "confirm": "1"}
        )

    with ThreadPoolExecutor(PHONES) as pool:
        replies = list(pool.map(cast, phones))

    thanked = [r for r in replies if r.status == 200]
    refused = [r for r in replies if r.status == 403]
    assert len(thanked) + len(refused) == PHONES, sorted(r.status for r in replies)
    assert [r.path for r in thanked] == ["/ballot/thanks/"]
    assert [REASON.search(r.text).group(1) for r in refused] == ["used"] * (PHONES - 1)
    [ballot] = Ballot.objects.all()
    assert (ballot.contestant, ballot.choice) == (contestant, "excellent")
    assert list(BallotToken.objects.filter(used=True)) == [
        BallotToken.objects.get(contestant=contestant)
    ]
