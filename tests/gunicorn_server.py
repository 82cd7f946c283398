"""gunicorn on loopback, as deployed: started with the given environment, ready once /healthz
answers, stopped gracefully (or its process group killed). Used by the load tests (tests/load/)
and by the benchmark."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 4
START_TIMEOUT = 30  # seconds for gunicorn's workers to answer /healthz
STOP_TIMEOUT = 10  # seconds for a graceful stop before the processes are killed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppServer:
    """One gunicorn master with its workers, in its own process group."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = WORKERS):
        if not GUNICORN.exists():
            raise RuntimeError(f"{GUNICORN} is missing: install the project's dependencies")
        self.port = free_port()
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
                [str(GUNICORN), "config.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{self.port}"]
                + ["--backlog", "2048"],
                cwd=ROOT,
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
