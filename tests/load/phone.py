"""A simulated phone (or desktop) talking to an app server: standard-library HTTP, its own cookie
jar, and the score sheet's outbox as static/js/sheet.js runs it.
"""

import http.client
import http.cookiejar
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal

TIMEOUT = 30  # seconds for one request
RETRY_PAUSE = 0.3  # the page waits 5 s before sending again; a test need not
SETTLED = (200, 409)  # the server holds this version or a newer one: done
REFUSED = (400, 403)  # sending again would be refused again: the judge must act


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    url: str  # after redirects

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path


class Phone:
    """One device: one cookie jar, so one session, whichever app server it talks to."""

    def __init__(self, language: str = "en"):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.language = language
        self.failures: list[str] = []  # every send that has to be retried, and why

    @property
    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, url: str, data: dict | None = None, headers: dict | None = None) -> Reply:
        """GET, or POST the form `data` with the CSRF token; redirects are followed.
        A 4xx or 5xx is a Reply too; a network error raises OSError or HTTPException."""
        body = None
        headers = {"Accept-Language": self.language} | (headers or {})
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf} | data).encode()
            headers |= {"X-CSRFToken": self.csrf}
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return Reply(response.status, response.read(), response.url)
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, error.read(), error.url)

    def get(self, url: str) -> Reply:
        return self.request(url)

    def post(self, url: str, data: dict) -> Reply:
        return self.request(url, data)

    def sign_in_with_card(self, card_url: str) -> Reply:
        """Open the card's link, then confirm: the judge's contestants page."""
        shown = self.get(card_url)
        assert shown.status == 200, (shown.status, shown.text[:500])
        return self.post(card_url, {})

    def sign_in(self, login_url: str, username: str, password: str) -> Reply:
        shown = self.get(login_url)
        assert shown.status == 200, (shown.status, shown.text[:500])
        return self.post(login_url, {"username": username, "password": password})

    def send_sheet(self, url: str, fields: dict[str, str], *, deadline: float) -> Reply:
        """Send a sheet as the page's outbox does: the same body again after a server error or
        a dropped connection, until the server settles (200, 409) or refuses (400, 403) it.
        `deadline` is a time.monotonic() after which it gives up."""
        headers = {"Accept": "application/json"}
        while True:
            try:
                reply = self.request(url, fields, headers)
            except (OSError, http.client.HTTPException) as exc:
                failure = f"{type(exc).__name__}: {exc}"
            else:
                if reply.status in SETTLED + REFUSED:
                    return reply
                failure = f"HTTP {reply.status}"
            self.failures.append(failure)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} still unsent; the failures: {self.failures[-5:]}")
            time.sleep(RETRY_PAUSE)


def sheet_fields(points: dict[str, Decimal], version: int, action: str = "submit") -> dict:
    """The sheet form's body as sheet.js posts it."""
    return {f"p-{code}": str(value) for code, value in points.items()} | {
        "comment": "",
        "problems": "",
        "version": str(version),
        "action": action,
    }


INPUT = re.compile(r'<input\b[^>]*\bname="(p-[\w-]+)"[^>]*\bvalue="([^"]*)"')
FORM_VERSION = re.compile(r'<form\b[^>]*\bid="sheet"[^>]*\bdata-version="(\d+)"')


def shown_sheet(page: str) -> tuple[int, dict[str, Decimal | None]]:
    """The saved version and points a sheet page shows."""
    version = int(FORM_VERSION.search(page).group(1))
    points = {name[2:]: Decimal(value) if value else None for name, value in INPUT.findall(page)}
    return version, points


class Counter:
    """A number that many threads add to."""

    def __init__(self):
        self._lock = threading.Lock()
        self.value = 0

    def add(self, n: int = 1) -> int:
        with self._lock:
            self.value += n
            return self.value


def points_for(number: int, criteria) -> dict[str, Decimal]:
    """What a judge types on sheet `number` (0, 1, …): every sheet its own points, so a sheet
    stored under the wrong judge or contestant, or one criterion's points under another, shows.
    The first two criteria spell the number out in half points; the others vary with it."""
    points = {}
    for k, criterion in enumerate(criteria):
        steps = int(criterion.max_points) * 2 + 1
        if k == 0:
            half = number % steps
        elif k == 1:
            half = number // steps % steps
        else:
            half = (number * (2 * k + 1) + k) % steps
        points[criterion.code] = Decimal(half) / 2
    return points
