"""Real app servers for the load tests: gunicorn on loopback (tests/gunicorn_server.py),
configured as in production (DEBUG off, collected static files, Redis shared by every process),
against the test database that pytest-django made.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from tests.gunicorn_server import AppServer


def _redis_of_this_worker(url: str) -> str:
    """A Redis database of its own (the benchmark uses 1): the tests empty it. Run in parallel
    (pytest-xdist), each worker takes the next database: gw0 the one named, gw1 the one after."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    base, _, db = url.rpartition("/")
    return f"{base}/{int(db or 0) + int(worker)}"


REDIS = _redis_of_this_worker(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2"))

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="load tests run gunicorn against PostgreSQL: app servers in other processes cannot"
    " share the SQLite test database, and SQLite lets one writer in at a time",
)


def database_url(db: dict) -> str:
    """A DATABASE_URL for the database `db` (a connection's settings_dict) names."""
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


def environment(*, static_root: Path, db: dict) -> dict[str, str]:
    """Production-like settings for an app process on loopback, plain HTTP."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "0",
        # The tests' own secret: what the tests sign (a session they store) the servers accept.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "CACHE": REDIS,
        "CONN_MAX_AGE": "0",
        "STATIC_ROOT": str(static_root),
        "DATABASE_URL": database_url(db),
        "LOG_LEVEL": "ERROR",
    }


def manage(env: dict[str, str], *args: str) -> None:
    """Run a management command as a deployment would, in its own process."""
    done = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


class AppServers:
    """Starts app servers on demand, all with the same settings; stops them all at the end."""

    def __init__(self, env: dict[str, str], logs: Path):
        self.env = env
        self.logs = logs
        self.running: list[AppServer] = []

    def get(self, index: int) -> AppServer:
        """The index-th server (0, 1, …), started the first time it is asked for."""
        while len(self.running) <= index:
            log = self.logs / f"gunicorn-{len(self.running)}.log"
            self.running.append(AppServer(self.env, log))
        return self.running[index]

    def stop(self) -> None:
        for server in self.running:
            server.stop()


def shared_cache() -> RedisCache:
    """The cache the app servers share (the wrong-code counts, the sessions), seen from the
    tests."""
    return RedisCache(REDIS, {})


def redis_missing() -> str | None:
    """Why the Redis app servers cannot run here, or None."""
    try:
        RedisCache(REDIS, {}).get("ping")
    except Exception as exc:  # noqa: BLE001 - any failure to reach it is the reason
        return f"no Redis at {REDIS}: {exc}"
    return None


def postgresql_cluster() -> str | None:
    """The version of the local PostgreSQL cluster pg_ctlcluster can restart, if any."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return None
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir() if (p / "main").is_dir())
    return versions[-1] if versions else None
