import os
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import override_settings

from tests import world as worlds
from tests.factories import MembershipFactory, StreetFactory, UserFactory


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # A long test starts first among the tests of its kind (pytest-django's stable sort, which
    # runs after this, keeps its order: database tests, then transactional ones, which must not
    # come first, as the live server's connection would lock tables under the others).
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    # A test that restarts PostgreSQL would cut every other worker's connection mid-test: in a
    # parallel run it waits for the run on its own that `make test` does afterwards.
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    later = pytest.mark.skip(reason="run on its own after the parallel run (make test does)")
    for item in items:
        if item.get_closest_marker("alone"):
            item.add_marker(later)


@pytest.fixture(scope="session")
def _static_root(tmp_path_factory):
    return tmp_path_factory.mktemp("static")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The cache counts wrong ballot codes per address, and keeps rendered published pages:
    # each test starts with neither (a rolled-back test may hand its ids to the next).
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_and_local(settings, _static_root):
    # Hashing is slow on purpose; tests need it fast. Static files come from the source folders,
    # so tests need no collectstatic (CI runs collectstatic separately).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STATIC_ROOT = _static_root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _language_of_the_test():
    # The test client leaves the language of its last request active in the thread: a test that
    # asked for English must not make the next one, calling code directly, read English.
    from django.utils import translation

    yield
    translation.deactivate()  # back to LANGUAGE_CODE


@pytest.fixture
def redis_down(settings):
    """The settings of CACHE=redis://…, with a Redis that does not answer."""
    from tests.gunicorn_server import free_port

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHES = settings.CACHES | {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        }
    }


@pytest.fixture
def street(db):
    return StreetFactory()


@pytest.fixture
def other_street(street):
    """Another street of the same district."""
    return StreetFactory(district=street.district)


@pytest.fixture
def admin_alice(db) -> User:
    return UserFactory(username="alice", is_staff=True, is_superuser=True)


@pytest.fixture
def district_dan(street) -> User:
    return MembershipFactory(
        user__username="dan", role="district_staff", district=street.district, street=None
    ).user


@pytest.fixture
def street_staff_carol(street) -> User:
    return MembershipFactory(
        user__username="carol", role="street_staff", district=street.district, street=street
    ).user


@pytest.fixture
def judge_bob(street) -> User:
    return MembershipFactory(
        user__username="bob", role="judge", district=street.district, street=street
    ).user


@pytest.fixture(scope="module")
def world(request, django_db_setup, django_db_blocker) -> Iterator[worlds.World]:
    """The permission matrices' world (tests/world.py), A in the status the test asks for."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield worlds.build(getattr(request, "param", worlds.SCORING))
        transaction.set_rollback(True)
