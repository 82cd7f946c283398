import io
from collections.abc import Iterator

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.test import RequestFactory, override_settings

from competition.models import Competition
from notice.queries import notice_state
from scoring.models import Scheme, ScoreSheet
from scoring.reports import rankings
from tests.villages.test_roster_import import snapshot
from villages import demo
from villages.models import District, Membership, Street, Tenure, Village

pytestmark = pytest.mark.django_db


def test_demo_roster_is_the_same_every_time():
    first, changes = demo.rosters()
    assert (first, changes) == demo.rosters()
    assert len({r["village_code"] for r in first}) == 403
    people = [(r["secretary"], r["phone"]) for r in first + changes]
    assert len(set(people)) == len(people)


def test_history_with_online_ballots_casts_them_anonymously_for_every_contestant(
    street, district_dan, admin_alice
):
    from scoring.demo import seed_history
    from scoring.models import Ballot, BallotToken, PaperTally, Publication
    from tests.factories import TenureFactory

    TenureFactory.create_batch(3, village__street=street)
    seed_history(
        district=street.district,
        year=2025,
        staff=district_dan,
        confirmer=admin_alice,
        online_ballots=5,
        optional=["governance", "livelihood", "reserve"],
    )
    street_competitions = Competition.objects.filter(level="street")
    assert {c.criteria.count() for c in street_competitions} == {8}  # 5+3, every quarter
    per_contestant = Ballot.objects.values("contestant").annotate(n=Count("id"))
    assert sorted(r["n"] for r in per_contestant) == [5] * 12  # 3 contestants × 4 quarters
    assert BallotToken.objects.filter(used=True).count() == 60
    assert not PaperTally.objects.exists()
    for publication in Publication.objects.filter(competition__level="street"):
        rows = publication.document["contestants"]
        assert all(sum(r["democratic"][c] for c in Ballot.Choice.values) == 5 for r in rows)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """`manage.py seed_demo` once, in a transaction rolled back after the module; its output.

    Each test runs in a savepoint inside it (pytest-django's `django_db`): a second seed, a
    sign-in, the next test never sees. The tests that need no demo district come first, before
    this is built.
    """
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_seed_demo_builds_the_district_of_the_source(seeded):
    out = seeded

    district = District.objects.get()
    assert district.name == "寒亭区"
    assert Street.objects.filter(district=district).count() == 9
    assert set(Street.objects.values_list("kind", flat=True)) == {
        "street",
        "development_zone",
        "center",
    }
    assert Village.objects.count() == 403
    # Every village has exactly one current secretary, and some have a history.
    open_counts = Village.objects.annotate(
        n=Count("tenures", filter=Q(tenures__end=None))
    ).values_list("n", flat=True)
    assert set(open_counts) == {1}
    assert Tenure.objects.filter(end__isnull=False).count() > 10

    roles = Membership.objects.values("role").annotate(n=Count("id"))
    assert {r["role"]: r["n"] for r in roles} == {
        "district_staff": 1,
        "street_staff": 2 * 9,  # two per street, for the paper tallies' double entry
        "judge": 7 + 9 * 7,  # the demo panel, and last year's panel of each street
    }
    for username in ("admin", "district", "street01", "street01b", "street09b", "judge07"):
        assert username in out
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password="leitai-demo") is not None
    assert "leitai-demo" in out
    second = Membership.objects.get(user__username="street01b")
    assert (second.role, second.street) == ("street_staff", Street.objects.order_by("pk").first())

    # This quarter's competition of the first street, in scoring, with a few sheets in.
    competition = Competition.objects.get(status="scoring")
    assert (competition.street.name, competition.status) == ("寒亭街道", "scoring")
    assert competition.contestants.count() == 52
    assert competition.judges.count() == 7
    statuses = list(
        ScoreSheet.objects.filter(judge__competition=competition).values_list("status", flat=True)
    )
    assert statuses.count("submitted") == 10 and statuses.count("draft") == 3

    # Last year: four published quarters for every street, graded near the source's spread.
    last_year = competition.year - 1
    assert Competition.objects.filter(year=last_year, status="published").count() == 36
    result = rankings.district_rankings(district_id=district.pk, year=last_year, quarter=4)
    counts = result.grade_counts
    assert sum(counts.values()) == 403
    assert 0.25 < counts["excellent"] / 403 < 0.37
    assert 0.50 < counts["competent"] / 403 < 0.62
    assert 0.08 < (counts["basic"] + counts["incompetent"]) / 403 < 0.18
    district_level = Competition.objects.get(level="district")
    assert district_level.contestants.filter(recommended_from__isnull=False).count() == 18
    # Last year's notices were up in their time; the last quarter's is open to try.
    for quarter, is_open in ((1, False), (3, False), (4, True)):
        published = Competition.objects.filter(
            year=last_year, quarter=quarter, status="published", level="street"
        ).first()
        assert notice_state(published.pk).open_for_objections() is is_open, quarter


def accounts() -> list[tuple]:
    return list(
        Membership.objects.order_by("user__username").values_list(
            "user__username", "user__first_name", "role", "street_id", "district_id"
        )
    )


def test_seed_demo_twice_is_harmless_and_deterministic(seeded, capsys):
    first = snapshot()
    people = accounts()
    names = list(Village.objects.order_by("code").values_list("code", "name"))

    call_command("seed_demo")

    assert snapshot() == first
    assert accounts() == people
    assert list(Village.objects.order_by("code").values_list("code", "name")) == names


def test_seed_demo_a_second_time_keeps_passwords_and_sessions(seeded, client, capsys):
    from django.apps import apps
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session

    client.post("/accounts/login/", {"username": "judge01", "password": "leitai-demo"})
    assert client.session["_auth_user_id"] == str(User.objects.get(username="judge01").pk)

    def state():
        users = User.objects.order_by("username")
        return (
            {model._meta.label: model.objects.count() for model in apps.get_models()},
            [(u.username, u.password, u.get_session_auth_hash(), u.last_login) for u in users],
            sorted(Session.objects.values_list("session_key", "session_data", "expire_date")),
        )

    before = state()
    call_command("seed_demo")

    assert state() == before
    assert client.get("/judge/").context["user"].username == "judge01"  # still signed in


def test_seed_demo_with_another_password_sets_it(seeded, capsys):
    call_command("seed_demo", password="another-demo")
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="street01", password="another-demo") is not None
    assert authenticate(request, username="street01", password="leitai-demo") is None


@pytest.mark.django_db
def test_seed_demo_without_a_scheme_says_so_and_creates_nothing():
    Scheme.objects.all().delete()
    before = (District.objects.count(), User.objects.count(), Competition.objects.count())
    with pytest.raises(CommandError, match="没有评分方案"):
        call_command("seed_demo")
    assert (District.objects.count(), User.objects.count(), Competition.objects.count()) == before
