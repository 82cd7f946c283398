"""A bounded load generator: a fixed list of requests, sent over loopback by a few processes
with a few threads each, one new connection per request (as gunicorn's sync workers close them).

Every request's latency is kept; the result is the median, the 95th percentile and the
throughput (requests per second over the wall time of the whole batch). A response with an
unexpected status fails the batch: a fast error is not a result.
"""

import http.client
import multiprocessing
import statistics
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


@dataclass
class Figures:
    requests: int
    median_ms: float
    p95_ms: float
    throughput: float  # requests per second

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "throughput_rps": round(self.throughput, 1),
        }


def _send(port: int, request: Request) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            request.method, request.path, body=request.body, headers=dict(request.headers)
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _worker(args) -> tuple[list[float], list[str]]:
    port, requests, threads, expect, start_at = args
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    share = [requests[i::threads] for i in range(threads)]

    def run(mine: list[Request]) -> None:
        for request in mine:
            begun = time.perf_counter()
            try:
                status, body = _send(port, request)
            except OSError as exc:
                status, body = 0, str(exc).encode()
            spent = time.perf_counter() - begun
            with lock:
                latencies.append(spent)
                if status not in expect:
                    errors.append(f"{request.method} {request.path}: {status} {body[:200]!r}")

    while time.time() < start_at:  # every process starts together
        time.sleep(0.001)
    pool = [threading.Thread(target=run, args=(part,)) for part in share]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, errors


def drive(
    port: int,
    requests: list[Request],
    *,
    expect: tuple[int, ...] = (200,),
    processes: int = 2,
    threads: int = 4,
) -> Figures:
    """Send every request, `processes × threads` at a time; the figures of the batch."""
    parts = [requests[i::processes] for i in range(processes)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes) as pool:
        start_at = time.time() + 0.5
        began = time.perf_counter() + (start_at - time.time())
        results = pool.map(_worker, [(port, p, threads, expect, start_at) for p in parts])
        ended = time.perf_counter()
    latencies = sorted(x for lat, _e in results for x in lat)
    errors = [e for _l, errs in results for e in errs]
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(requests)} requests failed, e.g. {errors[0]}")
    return Figures(
        requests=len(latencies),
        median_ms=statistics.median(latencies) * 1000,
        p95_ms=latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        throughput=len(latencies) / (ended - began),
    )
