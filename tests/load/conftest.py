"""App servers for the load tests, and a competition whose panel signs in with cards.

The servers are started once per session and talk to the test database, so the tests are
transactional: what a test writes is committed, and the servers see it.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.contrib.auth.models import User
from django.db import connection

from competition import services as competition_services
from competition.models import Competition, Contestant, Judge
from tests.competition_setup import competition_in_scoring
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.load import appserver


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """collectstatic once, as a deployment runs it: the servers run with DEBUG off."""
    root = tmp_path_factory.mktemp("load-static")
    env = appserver.environment(static_root=root, db=connection.settings_dict)
    appserver.manage(env, "collectstatic", "--noinput", "-v0")
    return root


@pytest.fixture(scope="session")
def _app_servers(django_db_setup, collected_static, tmp_path_factory):
    """App servers sharing Redis (counts and sessions), as docs/deploy.md sets them up."""
    if reason := appserver.redis_missing():
        pytest.skip(reason)
    # After django_db_setup, the connection's settings name the test database.
    env = appserver.environment(static_root=collected_static, db=connection.settings_dict)
    servers = appserver.AppServers(env, tmp_path_factory.mktemp("load-logs"))
    try:
        yield servers
    finally:
        servers.stop()


@pytest.fixture
def _servers_of_kind(_app_servers, transactional_db):
    appserver.shared_cache().clear()  # the wrong-code counts start empty
    return _app_servers


@pytest.fixture
def server(_servers_of_kind) -> appserver.AppServer:
    """gunicorn with four workers."""
    return _servers_of_kind.get(0)


@pytest.fixture
def other_server(server, _servers_of_kind) -> appserver.AppServer:
    """A second gunicorn on another port, on the same database and cache."""
    return _servers_of_kind.get(1)


@pytest.fixture
def street_staff_carol(db) -> User:
    """Street staff who sign in with a password, through the real sign-in form: its hash must
    be one the servers know (the tests' own fast hasher is not in their settings)."""
    carol = MembershipFactory(user__username="carol", role="street_staff").user
    carol.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    carol.save(update_fields=["password"])
    return carol


@dataclass
class Panel:
    competition: Competition
    contestants: list[Contestant]  # in speaking order
    cards: list[tuple[Judge, str]]  # each judge with the token of a fresh sign-in card


@pytest.fixture
def panel(street_staff_carol):
    """make(judges=…, contestants=…): a competition of carol's street in scoring, with that
    many contestants in speaking order and that many judges, each with a sign-in card."""

    def make(*, judges: int, contestants: int) -> Panel:
        users = [UserFactory(username=f"judge{n:02d}") for n in range(judges)]
        competition = competition_in_scoring(
            street=street_staff_carol.membership.street,
            staff=street_staff_carol,
            contestants=contestants,
            judges=users,
        )
        return Panel(
            competition=competition,
            contestants=list(competition.contestants.order_by("order")),
            cards=competition_services.issue_cards(competition=competition, by=street_staff_carol),
        )

    return make
