"""The pages the benchmark measures, the requests that drive them, and the report."""

import os
import shutil
import statistics
import time
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from benchmarks import scale
from benchmarks.load import Request, drive
from competition.models import Competition, Contestant
from scoring.ballots import services
from scoring.models import Ballot, Publication, ScoreSheet
from tests.load import pageweight
from tests.load.sessions import signed_in_session

CSRF = get_random_string(32)
WARMUP = 40


def _headers(session: str | None, **more: str) -> tuple[tuple[str, str], ...]:
    cookie = f"csrftoken={CSRF}" + (f"; sessionid={session}" if session else "")
    return (("Cookie", cookie), ("X-CSRFToken", CSRF), *more.items())


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Bench:
    """Measures each page on a running app server, side by side with the floor."""

    def __init__(self, *, port: int, district, live: Competition, factor: float = 1.0):
        self.port = port
        self.district = district
        self.live = live
        self.factor = factor
        self.staff = User.objects.get(username="district01")
        self.admin = User.objects.get(username="admin")
        self.judges = list(live.judges.select_related("user").order_by("pk"))
        self.contestants = list(live.contestants.order_by("order"))
        self.criteria = list(live.criteria.all())
        self.judge_sessions = {j.pk: signed_in_session(j.user) for j in self.judges}
        self.staff_session = signed_in_session(self.staff)
        self.admin_session = signed_in_session(self.admin)
        self.published = (
            Competition.objects.filter(
                district=district, year=scale.YEAR, quarter=4, level="street"
            )
            .order_by("street_id")
            .first()
        )
        self.floor = None

    def n(self, count: int) -> int:
        return WARMUP + max(WARMUP, int(count * self.factor))

    # ---- one page ----

    def run(self, name: str, label: str, requests: list[Request], expect=(200,), queries=None):
        warm, measured = requests[:WARMUP], requests[WARMUP:]
        drive(self.port, warm, expect=expect)
        figures = drive(self.port, measured, expect=expect)
        if callable(queries):  # counted after the load: a counted write must not run first
            queries = queries()
        row = {"name": name, "label": label, **figures.as_dict(), "queries": queries}
        if name == "health":
            self.floor = row
        row["median_ratio"] = round(row["median_ms"] / self.floor["median_ms"], 2)
        row["throughput_ratio"] = round(row["throughput_rps"] / self.floor["throughput_rps"], 3)
        print(
            f"  {label:<44} median {row['median_ms']:8.2f} ms  p95 {row['p95_ms']:8.2f} ms  "
            f"{row['throughput_rps']:8.1f}/s  {row['throughput_ratio']:6.1%} of floor  "
            f"{queries if queries is not None else '–'} queries",
            flush=True,
        )
        return row

    @staticmethod
    def count_queries(call, *, again: bool = True) -> int:
        """The queries of one request, in-process. A page is asked twice and the second time
        counted: what every later visitor costs, with reused rendered parts reused."""
        if again:
            call()
        with CaptureQueriesContext(connection) as context:
            response = call()
        assert response.status_code in (200, 302, 304), response.status_code
        return len(context)

    def _client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    # ---- the pages ----

    def sheet_path(self, contestant_index: int) -> str:
        c = self.contestants[contestant_index % len(self.contestants)]
        return f"/judge/{self.live.pk}/{c.pk}/"

    def _sheet_body(self, version: int, fraction: float) -> bytes:
        points = {
            f"p-{c.code}": str(int(float(c.max_points) * 2 * fraction) / 2) for c in self.criteria
        }
        return urlencode(
            points | {"version": version, "action": "submit", "comment": "", "problems": ""}
        ).encode()

    def district_pages(self) -> list[dict]:
        rows = [
            self.run(
                "health",
                "health view (floor)",
                [Request("GET", "/healthz")] * self.n(3000),
                queries=0,
            )
        ]

        # What any signed-in page costs before it shows anything: session, user, role, the
        # page frame. District staff's "my scoring" list is empty.
        staff_client = self._client(self.staff)
        rows.append(
            self.run(
                "signed_in",
                "signed-in page showing nothing (empty list)",
                [Request("GET", "/judge/", _headers(self.staff_session))] * self.n(1000),
                queries=lambda: self.count_queries(lambda: staff_client.get("/judge/")),
            )
        )

        judge_client = self._client(self.judges[0].user)
        sheets = []
        for i in range(self.n(600)):
            judge = self.judges[i % len(self.judges)]
            path = self.sheet_path(i // len(self.judges))
            sheets.append(Request("GET", path, _headers(self.judge_sessions[judge.pk])))
        rows.append(
            self.run(
                "sheet",
                "judge's score sheet",
                sheets,
                queries=lambda: self.count_queries(lambda: judge_client.get(self.sheet_path(0))),
            )
        )

        submits = []
        for version, fraction in ((1, 0.8), (2, 0.9)):
            for contestant in self.contestants:
                for judge in self.judges:
                    submits.append(
                        Request(
                            "POST",
                            f"/judge/{self.live.pk}/{contestant.pk}/",
                            _headers(
                                self.judge_sessions[judge.pk], Accept="application/json", **FORM
                            ),
                            self._sheet_body(version, fraction),
                        )
                    )
        last = self.contestants[-1]
        rows.append(
            self.run(
                "submit",
                "sheet submit",
                submits,
                queries=lambda: self.count_queries(
                    again=False,
                    call=lambda: judge_client.post(
                        f"/judge/{self.live.pk}/{last.pk}/",
                        data=self._sheet_body(3, 0.85),
                        content_type="application/x-www-form-urlencoded",
                        HTTP_ACCEPT="application/json",
                    ),
                ),
            )
        )
        sheet_count = ScoreSheet.objects.filter(judge__competition=self.live).count()
        assert sheet_count == len(self.judges) * len(self.contestants), sheet_count

        results = f"/competitions/{self.published.pk}/results/"
        rows.append(
            self.run(
                "results",
                f"results page ({self.published.contestants.count()} contestants, published)",
                [Request("GET", results, _headers(self.staff_session))] * self.n(600),
                queries=lambda: self.count_queries(lambda: staff_client.get(results)),
            )
        )
        # A reload of the unchanged page: the browser asks with the page's ETag.
        etag = staff_client.get(results)["ETag"]
        reload = _headers(self.staff_session, **{"If-None-Match": etag})
        rows.append(
            self.run(
                "reload",
                "results page reloaded, unchanged (304)",
                [Request("GET", results, reload)] * self.n(1000),
                expect=(304,),
                queries=lambda: self.count_queries(
                    lambda: staff_client.get(results, headers={"if-none-match": etag})
                ),
            )
        )
        rows.append(
            self.rankings(
                "rankings",
                f"district rankings ({self.ranked(self.district):,}, published)",
                self.staff,
            )
        )

        rows.append(
            self.run(
                "ballot",
                "ballot page",
                [Request("GET", "/ballot/")] * self.n(1500),
                queries=lambda: self.count_queries(lambda: Client().get("/ballot/")),
            )
        )
        per = max(1, -(-(self.n(480) + WARMUP + 1) // len(self.contestants)))
        codes = [
            code
            for _c, code in services.issue_ballot_tokens(
                competition=self.live, per_contestant=per, by=self.staff
            )
        ]
        before = Ballot.objects.filter(contestant__competition=self.live).count()
        spare = codes.pop()
        casts = [
            Request(
                "POST",
                "/ballot/",
                _headers(None, **FORM),
                urlencode({"code": code, "choice": "competent", "confirm": "1"}).encode(),
            )
            for code in codes
        ]
        rows.append(
            self.run(
                "cast",
                "ballot cast",
                casts,
                expect=(302,),
                queries=lambda: self.count_queries(
                    again=False,
                    call=lambda: Client().post(
                        "/ballot/", {"code": spare, "choice": "excellent", "confirm": "1"}
                    ),
                ),
            )
        )
        cast = Ballot.objects.filter(contestant__competition=self.live).count() - before
        assert cast == len(codes) + 1, (cast, len(codes))
        return rows

    def rankings(self, name: str, label: str, user: User, district: str = "") -> dict:
        query = {"year": scale.YEAR, "quarter": 4} | ({"district": district} if district else {})
        path = "/rankings/?" + urlencode(query)
        session = self.admin_session if user == self.admin else self.staff_session
        client = self._client(user)
        count = self.n(60 if district == "all" else 300)
        return self.run(
            name,
            label,
            [Request("GET", path, _headers(session))] * count,
            queries=lambda: self.count_queries(lambda: client.get(path)),
        )

    def ranked(self, district=None) -> int:
        contestants = Contestant.objects.filter(
            competition__year=scale.YEAR, competition__quarter=4, competition__level="street"
        )
        if district is not None:
            contestants = contestants.filter(competition__district=district)
        return contestants.count()

    def cold(self, user: User, query: dict, times: int = 5) -> float:
        """The median time, in-process, of a rankings page whose table and page must be rendered
        afresh (the first visit after a publication)."""
        client = self._client(user)
        path = "/rankings/?" + urlencode({"year": scale.YEAR, "quarter": 4} | query)
        spent = []
        for _n in range(times):
            caches["rendered"].clear()
            began = time.perf_counter()
            assert client.get(path).status_code == 200
            spent.append(time.perf_counter() - began)
        return round(statistics.median(spent) * 1000, 1)

    def cold_rankings(self) -> dict:
        one = self.cold(self.staff, {})
        every = self.cold(self.admin, {"district": "all"})
        print(
            f"  rankings rendered afresh: 403 in {one} ms, the whole city in {every} ms", flush=True
        )
        return {"district_ms": one, "city_ms": every, "ratio": round(every / one, 2)}

    def city_pages(self) -> list[dict]:
        one, every = self.ranked(self.district), self.ranked()
        return [
            self.rankings(
                "rankings_city", f"district rankings, city scale ({one:,} of {every:,})", self.staff
            ),
            self.rankings(
                "rankings_all", f"rankings of the whole city ({every:,})", self.admin, "all"
            ),
        ]

    def page_weight(self) -> dict | None:
        if not shutil.which(pageweight.CHROMIUM) and not os.path.exists(pageweight.CHROMIUM):
            print("  page weight: skipped, Chromium is missing", flush=True)
            return None
        path = self.sheet_path(1)
        first, later = pageweight.measure(
            f"http://127.0.0.1:{self.port}",
            path,
            {"sessionid": self.judge_sessions[self.judges[0].pk]},
            settle_ms=3000,  # what offline.js fetches once the page has loaded
        )
        # A later visit's page comes through the service worker, which the page's log counts as
        # nothing: weigh it as it travels.
        session = self.judge_sessions[self.judges[0].pk]
        url = f"http://127.0.0.1:{self.port}{path}"
        later.bytes += pageweight.gzipped(url, session) - later.sizes.get(url, 0)
        print(
            f"  score sheet on the wire: first load {first.bytes / 1024:.1f} KB in "
            f"{first.requests} requests; cached {later.bytes / 1024:.1f} KB in "
            f"{later.requests} requests",
            flush=True,
        )
        return {"first": first.as_dict(), "cached": later.as_dict(), "first_urls": first.urls}

    def data_counts(self) -> dict:
        return {
            "districts": Competition.objects.values("district").distinct().count(),
            "published_competitions": Publication.objects.count(),
            "contestants": Contestant.objects.count(),
            "sheets": ScoreSheet.objects.count(),
            "ballots": Ballot.objects.count(),
        }


def report(rows: list[dict], weight: dict | None, cold: dict | None = None) -> dict:
    by = {r["name"]: r for r in rows}
    targets = [
        (f"{label} ≥ {limit:.0%} of floor throughput", by[name]["throughput_ratio"], limit, ">=")
        for name, label, limit in (
            ("rankings", "district rankings", 0.20),
            ("results", "results page", 0.20),
            ("reload", "a reload answered 304", 0.50),
            ("submit", "sheet submit", 0.10),
            ("sheet", "judge's score sheet", 0.10),
            ("cast", "ballot cast", 0.10),
        )
    ] + [
        (
            "city-scale rankings of one district ≤ 1.5 × district scale (median)",
            round(by["rankings_city"]["median_ms"] / by["rankings"]["median_ms"], 2),
            1.5,
            "<=",
        ),
        (
            "rankings of 4,030 ≤ 10 × rankings of 403 (median)",
            round(by["rankings_all"]["median_ms"] / by["rankings"]["median_ms"], 2),
            10,
            "<=",
        ),
    ]
    if cold is not None:
        targets.append(
            (
                "rankings of 4,030 ≤ 10 × rankings of 403, rendered afresh (in-process)",
                cold["ratio"],
                10,
                "<=",
            )
        )
    if weight is not None:
        targets += [
            # 100 KB for the sheet, and up to 60 KB for keeping the competition offline.
            ("score sheet first load < 160 KB", weight["first"]["kb"], 160, "<"),
            # 7 for the sheet with the stage banner's script; offline.js, the kit and the list
            # kept as the shell: 3 more.
            ("score sheet first load ≤ 10 requests", weight["first"]["requests"], 10, "<="),
            ("score sheet with assets cached < 15 KB", weight["cached"]["kb"], 15, "<"),
        ]
    check = {">=": lambda v, x: v >= x, "<=": lambda v, x: v <= x, "<": lambda v, x: v < x}
    return {
        "pages": rows,
        "page_weight": weight,
        "rankings_rendered_afresh": cold,
        "targets": [
            {"target": t, "value": v, "limit": x, "met": check[op](v, x)} for t, v, x, op in targets
        ],
    }


def table(report: dict) -> str:
    lines = [
        "| page | median ms | p95 ms | req/s | median × floor | req/s ÷ floor | queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["pages"]:
        lines.append(
            f"| {r['label']} | {r['median_ms']:.2f} | {r['p95_ms']:.2f} | "
            f"{r['throughput_rps']:.1f} | {r['median_ratio']:.2f} | "
            f"{r['throughput_ratio']:.1%} | {r['queries'] if r['queries'] is not None else '–'} |"
        )
    lines += ["", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for t in report["targets"]:
        value = f"{t['value']:.1%}" if t["limit"] < 1 else str(t["value"])
        limit = f"{t['limit']:.0%}" if t["limit"] < 1 else str(t["limit"])
        lines.append(f"| {t['target']} | {value} | {limit} | {'yes' if t['met'] else 'NO'} |")
    return "\n".join(lines)
