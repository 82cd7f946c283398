"""Every page of every role passes axe-core, at 360 px and at 1280 px.

axe-core is the npm package declared in package.json (`npm ci` at the repository root; .ci/run
does it). The crawl signs in as each role of the demo district and follows the same-site links
from the home page and from a search (a form); axe checks one address of each URL route, at both
widths, and every serious or critical violation is listed, with the page, the rule and the
elements, in one failure. Some routes are linked only from some objects' pages (a published
competition's results, not the one in scoring), so two more addresses of each route are read
for their links, without axe. An administrator's pages that another role's crawl checked are
only read for their links. Of the admin, Django's own pages many times over, the crawl takes the
index, one list and one change form of our apps.
"""

import html
import io
import re
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import Resolver404, resolve, reverse

from competition.models import Competition
from competition.services import issue_cards
from scoring.ballots.services import issue_ballot_tokens
from tests.browser.conftest import DESKTOP, PHONE
from tests.competition_setup import default_scheme
from tests.factories import PASSWORD

# Transactional, for the live server.
pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "leitai-demo"  # seed_demo's default
ROLES = {
    "anonymous": None,
    "judge": "judge01",  # on the panel of 寒亭街道's competition in scoring
    "street staff": "street01",  # of 寒亭街道
    "district staff": "district",
    "administrator": "admin",
}
# Signing out and switching language are forms; the health check is JSON.
SKIPPED = {"logout", "set_language", "health", "admin:logout", "admin:view_on_site"}
SKIPPED |= {"notice:document"}  # the public notice's JSON, a download
OUR_APPS = ("villages", "competition", "scoring")
ADDRESSES_PER_ROUTE = 3  # the first is checked with axe, the others only read for their links
MAX_PAGES = 80  # per role: a bound in case something multiplies


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: install axe-core with `npm ci` at the repository root "
            "(Node.js and npm from Debian: apt-get install nodejs npm); .ci/run does both."
        )
    return AXE.read_text()


def violations(page, where: str, *, rows: int = 0) -> list[str]:
    """axe's serious and critical violations on the page as it is shown now; with `rows`, of
    each table only its first rows."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    # govern: a <script> tag with axe's source would be refused by it.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(page.axe_source)
    found = page.evaluate(
        """async (rows) => {
          const context = rows
            ? {exclude: [[`tbody > tr:nth-child(n+${rows + 1})`]]}
            : document;
          // No preload: it copies the stylesheets into <style> elements, which the page's
          // policy refuses; only the rule on locked screen orientation needs them.
          const result = await axe.run(context, {resultTypes: ['violations'], preload: false});
          return result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => ({id: v.id, impact: v.impact,
                          targets: v.nodes.map((n) => n.target.join(' '))}));
        }""",
        rows,
    )
    return [
        f"{where}: {v['id']} ({v['impact']}, {len(v['targets'])}×) "
        + ", ".join(v["targets"][:5])
        + (" …" if len(v["targets"]) > 5 else "")
        for v in found
    ]


def check_both_widths(page, where: str) -> list[str]:
    found = violations(page, f"{where} @360")
    page.set_viewport_size(DESKTOP)
    # A table's rows look alike at either width, and every one was checked at 360: at 1280 its
    # first twenty stand for the rest.
    found += violations(page, f"{where} @1280", rows=20)
    page.set_viewport_size(PHONE)
    return found


def route_of(url: str, site: str) -> str | None:
    """The URL route an address of this site resolves to, or None if the crawl skips it."""
    if not url.startswith(site + "/"):
        return None
    parts = urlsplit(url)
    if "format" in parse_qs(parts.query):  # a download, not a page
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = match.view_name
    if name in SKIPPED or name.startswith("django.") or name.endswith(".serve"):
        return None
    if name.startswith("admin:"):
        if name == "admin:index":
            return name
        app = match.url_name.split("_", 1)[0]
        if app in OUR_APPS and match.url_name.endswith("_changelist"):
            return "admin:changelist"
        if app in OUR_APPS and match.url_name.endswith("_change") and "object_id" in match.kwargs:
            return "admin:change"
        return None
    return name


HREF = re.compile(r"""<a\s[^>]*href=["']([^"'#]*)""")


def crawl(
    page, site: str, role: str, start: list[str], *, checked_before: frozenset = frozenset()
) -> tuple[list[str], list[str], set[str]]:
    """axe on one address per route reachable from `start`, but for the routes in
    `checked_before`, which are only read for their links. Returns (checked paths, found,
    checked routes)."""
    queue = deque(site + path for path in start)
    seen = set(queue)
    addresses = Counter(route_of(url, site) for url in queue)
    checked_routes: set[str] = set(checked_before)
    checked, found = [], []
    while queue and len(checked) < MAX_PAGES:
        url = queue.popleft()
        route = route_of(url, site)
        path = url.removeprefix(site)
        if route in checked_routes:
            # Read, not checked: only its links are wanted.
            answer = page.request.get(url, max_redirects=0)
            hrefs = [urljoin(url, html.unescape(h)) for h in HREF.findall(answer.text())]
        else:
            answer = page.goto(url)
            if "text/html" not in answer.headers.get("content-type", ""):
                continue
            checked_routes.add(route)
            checked.append(path)
            found += check_both_widths(page, f"{role} {path}")
            hrefs = page.evaluate(
                "[...document.querySelectorAll('a[href]')].map((a) => a.href.split('#')[0])"
            )
        for href in hrefs:
            route = route_of(href, site)
            if route is not None and addresses[route] < ADDRESSES_PER_ROUTE and href not in seen:
                seen.add(href)
                addresses[route] += 1
                queue.append(href)
    return checked, found, checked_routes - checked_before


def sign_in(page, site: str, username: str) -> None:
    page.goto(site + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(site + reverse("home"))


def ballot_pages(page, site: str, code: str) -> list[str]:
    """A representative's phone: the slip's QR address, the check, the thanks, the code entry,
    the same code again; and a judge's phone with an unknown card."""
    page.goto(f"{site}{reverse('scoring:ballot')}#{code}")
    page.locator("#ballot-form").wait_for()
    found = check_both_widths(page, "representative /ballot/ (choices)")
    page.locator("input[name=choice]").first.check()
    page.locator("#ballot-form button[type=submit]").click()
    page.locator("#chosen").wait_for()
    found += check_both_widths(page, "representative /ballot/ (confirm)")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/ballot/thanks/")
    found += check_both_widths(page, "representative /ballot/thanks/")
    page.goto(site + reverse("scoring:ballot"))
    found += check_both_widths(page, "representative /ballot/ (code entry)")
    page.goto("about:blank")  # from /ballot/, only the fragment would change: no new page
    page.goto(f"{site}{reverse('scoring:ballot')}#{code}")
    page.locator(".ballot-refused").wait_for()
    found += check_both_widths(page, "representative /ballot/ (a used code)")
    page.goto(site + reverse("competition:card", args=["no-such-card"]))
    found += check_both_widths(page, "judge /card/… (an unknown card)")
    return found


def printed_pages(page, site: str, competition_id: int) -> list[str]:
    """What street staff print, the answers of forms: the judges' cards and the ballot slips."""
    page.goto(site + reverse("scoring:setup", args=[competition_id]))
    action = reverse("competition:cards", args=[competition_id])
    page.locator(f"form[action='{action}'] button").click()
    page.locator(".sign-in-card").first.wait_for()
    found = check_both_widths(page, f"street staff {action} (cards)")
    page.goto(site + reverse("scoring:democratic", args=[competition_id]))
    page.fill("#per", "1")
    action = reverse("scoring:slips", args=[competition_id])
    page.locator(f"form[action='{action}'] button").click()
    page.locator(".slip").first.wait_for()
    return found + check_both_widths(page, f"street staff {action} (slips)")


def notice_pages(page, site: str, competition_id: int) -> list[str]:
    """A villager's phone on the public notice: the objection form opened and lodged, its code
    looked up, and the notice's document pasted into the verify page."""
    page.goto(site + reverse("notice:public", args=[competition_id]))
    page.locator("#lodge").evaluate("(form) => form.closest('details').open = true")
    found = check_both_widths(page, "villager /notice/ (objection form open)")
    page.select_option("#lodge-village", index=1)
    page.fill("#lodge-name", "张三")
    page.fill("#lodge-phone", "13800000000")
    page.fill("#lodge-text", "民主测评票数与实际不符。")
    page.locator("#lodge button[type=submit]").click()
    page.locator("#objection-code").wait_for()
    found += check_both_widths(page, "villager /notice/objection/ (lodged)")
    document = page.request.get(site + reverse("notice:document", args=[competition_id])).text()
    page.goto(site + reverse("notice:verify"))
    page.fill("#verify-text", document)
    page.locator("#verify button[type=submit]").click()
    page.locator("#match").wait_for()
    found += check_both_widths(page, "villager /notice/verify/ (a match)")
    page.fill("#verify-text", "not json")
    page.locator("#verify button[type=submit]").click()
    page.locator("#result .alert-danger").wait_for()
    return found + check_both_widths(page, "villager /notice/verify/ (not a document)")


def stage_pages(page, site: str, competition_id: int) -> list[str]:
    """The stage: a screen link issued (the answer of a form) and the big screen it opens, with
    a contestant on stage."""
    page.goto(site + reverse("stage:controller", args=[competition_id]))
    page.locator("#do-start").click()
    page.locator("#do-pause").wait_for()
    page.locator("#issue-link").click()
    page.locator("#screen-url").wait_for()
    found = check_both_widths(page, "street staff stage:link_issue (screen link)")
    link = page.locator("#screen-url").input_value()
    page.goto(link)
    page.locator(".screen-turn.turn-current").wait_for()
    return found + check_both_widths(page, "screen link /competitions/…/screen/ (on stage)")


@pytest.mark.long
def test_every_page_of_every_role_passes_axe_at_both_widths(page_at, live_server):
    source = axe_source()
    default_scheme()  # an earlier transactional test's flush may have removed it
    call_command("seed_demo", stdout=io.StringIO())
    competition = Competition.objects.get(status=Competition.Status.SCORING)
    staff = User.objects.get(username="street01")
    _contestant, code = issue_ballot_tokens(competition=competition, per_contestant=1, by=staff)[0]
    _judge, card = issue_cards(competition=competition, by=staff)[0]
    # Feedback sheets: one secretary's, and all of a competition's (last year's, published).
    published = (
        Competition.objects.filter(status=Competition.Status.PUBLISHED, street=competition.street)
        .order_by("-year", "-quarter")
        .first()
    )
    feedback = [
        reverse("scoring:feedback", args=[published.pk, published.contestants.first().pk]),
        reverse("scoring:feedback_all", args=[published.pk]),
    ]

    started = time.monotonic()
    found, checked, routes = [], {}, {}
    broken = []  # answers of 400 and more, to anything a page asked for (the favicon too)
    for role, username in ROLES.items():
        page = page_at(PHONE)
        page.axe_source = source
        page.on(
            "response",
            lambda r, role=role: (
                broken.append(f"{role} {r.status} {r.url}") if r.status >= 400 else 0
            ),
        )
        start = [reverse("home")]
        if username:
            sign_in(page, live_server.url, username)
            if role != "judge":  # the navigation's search, for staff
                start.append(reverse("search") + "?q=%E5%AF%92%E4%BA%AD")  # 寒亭
            if role in ("street staff", "district staff"):
                start += feedback
        else:  # a judge's sign-in card, before it signs them in; the public notice's pages
            start.append(reverse("competition:card", args=[card]))
            start += [
                reverse("notice:public", args=[published.pk]),
                reverse("notice:verify"),
                reverse("notice:objection"),
            ]
        # An administrator sees the district as district staff do and manages streets as street
        # staff do, on the same pages: axe checks the pages only they reach (the admin site).
        before = frozenset().union(*routes.values()) if role == "administrator" else frozenset()
        checked[role], role_found, routes[role] = crawl(
            page, live_server.url, role, start, checked_before=before
        )
        found += role_found
        if role == "street staff":
            found += printed_pages(page, live_server.url, competition.pk)
            found += stage_pages(page, live_server.url, competition.pk)
    phone = page_at(PHONE)
    phone.axe_source = source
    found += ballot_pages(phone, live_server.url, code)
    found += notice_pages(phone, live_server.url, published.pk)
    phone.goto(live_server.url + reverse("stage:screen_link", args=["no-such-link"]))
    found += check_both_widths(phone, "projector /screen/… (an unknown screen link)")
    print(
        f"axe: {sum(map(len, checked.values())) + 12} pages in {time.monotonic() - started:.0f} s"
    )
    for role, paths in checked.items():
        print(role, len(paths), " ".join(paths))

    # The crawl reached each role's pages, not only the home page.
    assert {"/judge/", f"/judge/{competition.pk}/"} <= set(checked["judge"])
    assert len(checked["street staff"]) >= 20, checked["street staff"]
    stage = reverse("stage:controller", args=[competition.pk])
    assert {stage, stage + "questions/", stage + "log/"} <= set(checked["street staff"])
    assert reverse("stage:screen", args=[competition.pk]) in checked["street staff"]
    assert len(checked["district staff"]) >= 12, checked["district staff"]
    for role in ("street staff", "district staff"):
        assert set(feedback) <= set(checked[role]), checked[role]
    admin = [path for path in checked["administrator"] if path.startswith("/admin/")]
    assert len(admin) == 3 and admin[0] == "/admin/" and admin[2].endswith("/change/"), admin
    assert found == [], "axe-core finds serious or critical violations:\n" + "\n".join(found)
    assert broken == []


def test_the_navigation_shows_the_current_section_in_bold_and_underlined(
    page_at, live_server, street_staff_carol
):
    page = page_at(DESKTOP)
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "carol")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(live_server.url + reverse("competition:problems"))

    def style(name: str) -> dict:
        return page.get_by_role("link", name=name, exact=True).evaluate(
            """(a) => { const s = getComputedStyle(a);
                return {weight: s.fontWeight, line: s.textDecorationLine, color: s.color}; }"""
        )

    current = page.locator(".navbar-nav a[aria-current]")
    assert current.count() == 1 and current.inner_text() == "问题整改"
    assert style("问题整改") == {
        "weight": "700",
        "line": "underline",
        "color": "rgb(255, 255, 255)",
    }
    assert style("擂台赛") == {"weight": "400", "line": "none", "color": "rgb(255, 255, 255)"}
