"""Real app servers for the load tests: gunicorn on loopback, configured as in production
(DEBUG off, collected static files, the database cache shared by every process), against the
test database that pytest-django made.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.cache import DatabaseCache

GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 4
CACHE_TABLE = "leitai_cache"  # config/settings.py's LOCATION for CACHE=db
START_TIMEOUT = 30  # seconds for gunicorn's workers to answer /healthz
STOP_TIMEOUT = 10  # seconds for a graceful stop before the processes are killed

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="load tests run gunicorn against PostgreSQL: app servers in other processes cannot"
    " share the SQLite test database, and SQLite lets one writer in at a time",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
        "CACHE": "db",
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


class AppServer:
    """One gunicorn master with its workers, in its own process group."""

    def __init__(self, env: dict[str, str], log: Path):
        if not GUNICORN.exists():
            raise RuntimeError(f"{GUNICORN} is missing: install the project's dependencies")
        self.port = free_port()
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
                [str(GUNICORN), "config.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2) as response:  # noqa: S310 - loopback
                    if response.read() == b"ok":
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz in time:\n{self.log_tail()}")

    def stop(self) -> None:
        """Terminate gracefully; kill the process group if it does not go."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)


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


def shared_cache() -> DatabaseCache:
    """The cache the app servers share (the wrong-code counts), seen from the tests."""
    return DatabaseCache(CACHE_TABLE, {})


def postgresql_cluster() -> str | None:
    """The version of the local PostgreSQL cluster pg_ctlcluster can restart, if any."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return None
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir() if (p / "main").is_dir())
    return versions[-1] if versions else None
