"""The benchmark: `make bench` (or `python -m benchmarks.run`). Needs PostgreSQL.

Builds district-scale data in a fresh database, starts gunicorn on 127.0.0.1, measures each
page against the trivial health view (the floor) in the same run, then grows the data to city
scale (10 districts) and measures the rankings again. Prints a table and writes
benchmarks/results/latest.json.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests import gunicorn_server
from tests.gunicorn_server import AppServer

ROOT = gunicorn_server.ROOT
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/leitai_bench"
# Sessions and counters in Redis, as docs/deploy.md sets up several app servers.
DEFAULT_CACHE = "redis://127.0.0.1:6379/1"
SECRET = "benchmark-only-secret-key-" + "x" * 40


def _env(database_url: str, cache: str, **extra: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "HTTPS": "0",
        "CONN_MAX_AGE": "60",
        "CACHE": cache,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _recreate(database_url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = database_url.rsplit("/", 1)[1]
    admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def _analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would gather in time (and as
    docs/deploy.md asks after a restore)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cache", default=os.environ.get("BENCH_CACHE", DEFAULT_CACHE))
    parser.add_argument("--districts", type=int, default=10, help="city scale (default 10)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply request counts")
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/latest.json"))
    args = parser.parse_args()

    env = _env(args.database_url, args.cache)
    static_root = tempfile.mkdtemp(prefix="leitai-bench-static-")
    env["STATIC_ROOT"] = static_root
    started = time.time()
    print(f"Fresh database {args.database_url}", flush=True)
    _recreate(args.database_url)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "shell", "-v", "0", "-c", "from django.core.cache import cache; cache.clear()")
    _manage(env, "collectstatic", "--noinput", "-v0")

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from benchmarks import measure, scale

    print("District scale: 9 streets, 403 secretaries, four published quarters", flush=True)
    t = time.time()
    district = scale.build_district(1)
    live = scale.build_live(district)
    _analyze()
    built_district = time.time() - t

    server = AppServer(env, Path(static_root) / "gunicorn.log")
    try:
        bench = measure.Bench(port=server.port, district=district, live=live, factor=args.scale)
        rows = bench.district_pages()
        weight = bench.page_weight()
        print(f"City scale: {args.districts} districts", flush=True)
        t = time.time()
        for n in range(2, args.districts + 1):
            scale.build_district(n)
        _analyze()
        built_city = time.time() - t
        rows += bench.city_pages()
        cold = bench.cold_rankings()
    finally:
        server.stop()
        shutil.rmtree(static_root, ignore_errors=True)  # and the server's log with it

    report = measure.report(rows, weight, cold)
    report["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "gunicorn_workers": gunicorn_server.WORKERS,
        "load": "2 processes × 4 threads, one connection per request, loopback",
    }
    report["data"] = bench.data_counts() | {
        "build_district_s": round(built_district, 1),
        "build_city_s": round(built_city, 1),
    }
    report["run_s"] = round(time.time() - started, 1)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(measure.table(report))
    print(f"\nWritten to {args.output} in {report['run_s']} s")
    return 0 if all(t["met"] for t in report["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
