"""Settings come from the environment and refuse what they cannot understand."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = "import django; django.setup(); from django.conf import settings as s; print(({}))"


def load(expression: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "HTTPS", "DATABASE_URL", "CACHE")
    }
    return subprocess.run(  # noqa: S603 - our own settings module, fixed arguments
        [sys.executable, "-c", PROBE.format(expression)],
        cwd=settings.BASE_DIR,
        env=clean | {"DJANGO_SETTINGS_MODULE": "config.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("value", ["maybe", "2", "True!", "enable"])
def test_a_debug_value_that_is_not_a_boolean_is_an_error(value):
    result = load("s.DEBUG", DEBUG=value, SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert f"DEBUG={value!r} is not a boolean" in result.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", "True"), ("on", "True"), ("No", "False"), ("0", "False"), ("", "False")],
)
def test_debug_accepts_the_usual_spellings(value, expected):
    result = load("s.DEBUG", DEBUG=value, SECRET_KEY="x" * 50)
    assert result.stdout.strip() == expected, result.stderr


def test_secret_key_is_required_in_production():
    result = load("s.SECRET_KEY", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_has_a_key_and_local_hosts():
    result = load("(s.SECRET_KEY[:15], s.ALLOWED_HOSTS)", DEBUG="1")
    assert result.stdout.strip() == "('django-insecure', ['127.0.0.1', 'localhost'])"


def test_database_url_chooses_postgresql_and_sqlite_waits_for_writers():
    pg = load(
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']",
        DEBUG="1",
        DATABASE_URL="postgres://u@db.example:5432/leitai",
    )
    assert pg.stdout.strip() == "('django.db.backends.postgresql', 'leitai')"
    sqlite = load("s.DATABASES['default']['OPTIONS']['transaction_mode']", DEBUG="1")
    assert sqlite.stdout.strip() == "IMMEDIATE"


def test_https_flag_turns_on_secure_cookies_and_hsts():
    result = load(
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0",
        DEBUG="0",
        SECRET_KEY="x" * 50,
        HTTPS="1",
    )
    assert result.stdout.strip() == "(True, True, True, True)"


def test_check_deploy_is_clean_with_production_values():
    result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=os.environ
        | {
            "DEBUG": "0",
            "HTTPS": "1",
            "SECRET_KEY": "k3y-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP",
            "ALLOWED_HOSTS": "leitai.example.gov.cn",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_cache_is_per_process_by_default_or_shared_in_redis():
    show = "(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION'), s.SESSION_ENGINE)"
    default = load(show, DEBUG="1")
    assert default.stdout.strip() == str(
        (
            "django.core.cache.backends.locmem.LocMemCache",
            "leitai",
            "django.contrib.sessions.backends.db",
        )
    )
    # With Redis, sessions are read from it and still written to the database.
    redis = load(show, DEBUG="1", CACHE="redis://127.0.0.1:6379/0")
    assert redis.stdout.strip() == str(
        (
            "django.core.cache.backends.redis.RedisCache",
            "redis://127.0.0.1:6379/0",
            "django.contrib.sessions.backends.cached_db",
        )
    )
    for wrong_value in ("redis", "db"):
        wrong = load("s.CACHES", DEBUG="1", CACHE=wrong_value)
        assert wrong.returncode != 0 and "use locmem or a redis:// address" in wrong.stderr
