"""Crawl the site as one user, and read what a page shows.

Reusable by any test that needs "every page a role can reach":

    world = seed_world()                         # the demo district (scoring/demo.py)
    for role, user in world.users.items():       # None for the anonymous visitor
        pages = crawl(client_for(user))          # [Page(url, route, html), ...]
        texts = visible_text(pages[0].html, "en")

Seeding takes about ten seconds: seed once per module, inside a transaction rolled back at
its end (see the `world` fixture of tests/test_one_language.py).

`crawl` starts at the home page (or the paths given) and follows every same-site GET link
breadth-first, as the user would by clicking. It keeps at most `per_route` URLs per resolver
route name (two by default: a competition in scoring and a published one; one list of villages
tells what every such list says) and `limit` pages in all, and never follows the links that
change state or leave HTML behind: sign-out, the language switch, downloads (a `download`
link, a `format=` query, any answer that is not HTML), static files, the admin's delete pages.

`visible_text` is what a reader of a page sees: the text outside <script>, <style>, <head>
(the <title> excepted), a <textarea>'s value (data being edited) and literal <code>, plus the
attributes that are read or heard (title, aria-label, placeholder, alt, a button's value).
Text inside an element marked with another `lang` than the page's (the language switch's
"English" on a Chinese page) is the other language on purpose, and is left out.

The crawl uses Django's test client, not a browser: no JavaScript runs.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from competition.models import Competition, Judge
from competition.services import (
    add_current_secretaries,
    add_judge,
    add_observation_point,
    issue_cards,
    set_order,
)
from scoring.models import Scheme
from scoring.results.services import close_scoring
from scoring.setup.services import create_competition, create_review, open_scoring
from villages.models import Village

# Routes never followed: they change state, switch the language, or answer with a file.
SKIPPED_ROUTES = {"logout", "set_language", "admin:logout", "admin:jsi18n", "health"}
SKIPPED_ROUTE_SUFFIXES = ("_delete",)  # the admin's delete confirmation lists every related row
SKIPPED_PREFIXES = ("/static/", "/media/", "/i18n/")
DOWNLOAD_QUERY = re.compile(r"(^|&)(format|download|export)=", re.IGNORECASE)

VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
HIDDEN_ELEMENTS = {"script", "style", "head", "noscript"}
# Not prose in any language: a form field's current value (data being edited) and literal
# machine text (a file's column names, a command).
LITERAL_ELEMENTS = {"textarea", "code", "kbd", "samp"}
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Page:
    url: str
    route: str
    html: str
    status: int = 200  # a refusal (4xx) is a page in the reader's language too


@dataclass
class World:
    """The seeded data and one user per role (None: the anonymous visitor), with what only a
    typed or printed address reaches."""

    users: dict[str, User | None] = field(default_factory=dict)
    card: str = ""  # a judge's unused sign-in card: /card/<token>/
    draft: Competition | None = None  # next year's first competition of street01, in draft
    closed: Competition | None = None  # next year's second, closed with no sheet in
    published: Competition | None = None  # one of last year's, for its public notice
    review: Competition | None = None  # next year's first half-year review, in draft


ROLES = {
    "anonymous": None,
    "judge": "judge01",
    "street_staff": "street01",
    "district_staff": "district",
    "admin": "admin",
}


def seed_world() -> World:
    """The richest world we have: `manage.py seed_demo` (a district of 403 villages, a year of
    published competitions, this quarter's in scoring with sheets in), its demo users, sign-in
    cards for the panel and, for the pages of each state, a competition in draft and a closed
    one (with judge01 on its panel; dated next year, the quarters of this one being taken)."""
    call_command("seed_demo", stdout=io.StringIO())
    staff = User.objects.get(username="street01")
    scoring = Competition.objects.get(status=Competition.Status.SCORING)
    [(_judge, card), *_others] = issue_cards(competition=scoring, by=staff)
    draft = create_competition(
        street=scoring.street,
        year=scoring.year + 1,
        quarter=1,
        scheme=Scheme.objects.order_by("pk").first(),
        optional_codes=["governance"],
        by=staff,
    )
    closed = create_competition(
        street=scoring.street,
        year=scoring.year + 1,
        quarter=2,
        scheme=Scheme.objects.order_by("pk").first(),
        optional_codes=["reserve"],
        by=staff,
    )
    add_current_secretaries(competition=closed, by=staff)
    ids = closed.contestants.order_by("village__code").values_list("pk", flat=True)
    set_order(competition=closed, order={pk: n for n, pk in enumerate(ids, 1)}, by=staff)
    judge = User.objects.get(username=ROLES["judge"])
    add_judge(competition=closed, user=judge, role=Judge.Role.AREA_CHIEF, by=staff)
    open_scoring(competition=closed, by=staff)
    close_scoring(competition=closed, by=staff, reason="演示：未评分即结束")
    review = _review(draft.year)
    return World(
        users={
            role: None if username is None else User.objects.get(username=username)
            for role, username in ROLES.items()
        },
        card=card,
        draft=draft,
        closed=closed,
        review=review,
        published=Competition.objects.filter(status=Competition.Status.PUBLISHED)
        .order_by("pk")
        .first(),
    )


def _review(year: int) -> Competition:
    """The district's half-year review of the first half of `year`, in draft, visiting the
    first village of two streets."""
    staff = User.objects.get(username=ROLES["district_staff"])
    district = staff.membership.district
    review = create_review(
        district=district,
        year=year,
        half=1,
        scheme=Scheme.objects.order_by("pk").first(),
        optional_codes=[],
        by=staff,
    )
    villages = Village.objects.filter(
        street__district=district, active=True, tenures__end__isnull=True
    ).order_by("street__pk", "code")
    for n, street_id in enumerate(sorted({v.street_id for v in villages})[:2], start=1):
        village = next(v for v in villages if v.street_id == street_id)
        add_observation_point(
            competition=review, village=village, visit_on=dt.date(year, 5, n), note="", by=staff
        )
    return review


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def route_of(path: str) -> str | None:
    """The resolver's name for a path ("scoring:results"), or None when nothing answers it."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _wanted(url: str, route: str | None) -> bool:
    parts = urlsplit(url)
    if route is None or route in SKIPPED_ROUTES or route.endswith(SKIPPED_ROUTE_SUFFIXES):
        return False
    if parts.path.startswith(SKIPPED_PREFIXES):
        return False
    return not DOWNLOAD_QUERY.search(parts.query)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        attributes = dict(attrs)
        if "download" not in attributes and attributes.get("href"):
            self.hrefs.append(attributes["href"])


def links(html: str, base: str) -> list[str]:
    """The same-site links of a page, as paths with their query, without fragments."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        absolute = urlsplit(urljoin(f"http://testserver{base}", href))
        if absolute.scheme not in ("http", "https") or absolute.netloc != "testserver":
            continue
        found.append(absolute.path + (f"?{absolute.query}" if absolute.query else ""))
    return found


def crawl(
    client: Client,
    *,
    start: str | list[str] = "/",
    per_route: int = 2,
    limit: int = 400,
    headers: dict[str, str] | None = None,
) -> list[Page]:
    """Every HTML page reachable from `start` (a path, or several: pages reached by a typed
    address or a form, such as a search) by GET links, breadth-first, bounded as above.

    Redirects are followed (a page may send the user on). A refusal (4xx) with an HTML page is
    kept, but its links are not followed; anything else that is not HTML is left out.
    """
    headers = headers or {}
    seen_urls: set[str] = set()
    per_route_count: dict[str, int] = {}
    queue = deque([start] if isinstance(start, str) else start)
    pages: list[Page] = []
    while queue and len(pages) < limit:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        route = route_of(urlsplit(url).path)
        if not _wanted(url, route) or per_route_count.get(route, 0) >= per_route:
            continue
        response = client.get(url, follow=True, headers=headers)
        status = response.status_code
        if not (status == 200 or 400 <= status < 500):
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        final = response.request["PATH_INFO"]
        final_route = route_of(final) or route
        if final_route != route and per_route_count.get(final_route, 0) >= per_route:
            continue
        per_route_count[route] = per_route_count.get(route, 0) + 1
        if final_route != route:
            per_route_count[final_route] = per_route_count.get(final_route, 0) + 1
        html = response.content.decode()
        pages.append(Page(url=url, route=final_route, html=html, status=status))
        if status == 200:
            queue.extend(link for link in links(html, final) if link not in seen_urls)
    return pages


class _Text(HTMLParser):
    """Collects visible text; see the module's docstring for what counts as visible."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language.lower()
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.parts: list[str] = []

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = (attributes.get("lang") or "").lower()
        hidden = self.hidden or tag in HIDDEN_ELEMENTS or tag in LITERAL_ELEMENTS
        if tag == "title":
            hidden = False  # the browser's tab shows it
        if lang and not lang.startswith(self.language[:2]) and tag != "html":
            hidden = True
        if not hidden:
            for name in VISIBLE_ATTRIBUTES:
                if attributes.get(name):
                    self.parts.append(attributes[name])
            is_button = tag == "input" and attributes.get("type") in ("submit", "button", "reset")
            if is_button and attributes.get("value"):
                self.parts.append(attributes["value"])
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag):
        # Tolerate unclosed elements: pop up to the matching start tag.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data)


def visible_text(html: str, language: str) -> list[str]:
    """The pieces of text a reader of the page sees, in page order."""
    parser = _Text(language)
    parser.feed(html)
    parser.close()
    return [" ".join(part.split()) for part in parser.parts]


def page_language(html: str) -> str:
    match = re.search(r'<html[^>]*\blang="([^"]+)"', html)
    return match.group(1) if match else ""
