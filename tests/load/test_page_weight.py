"""The score sheet on a judge's weak rural network: what its first load and a later visit cost
on the wire, read from Chromium's own network log, against gunicorn as deployed (DEBUG off,
static files collected, compressed and named by their hash so phones keep them)."""

from pathlib import Path

import pytest

from tests.load import pageweight
from tests.load.appserver import postgresql_only
from tests.load.sessions import signed_in_session

pytestmark = [
    postgresql_only,
    pytest.mark.skipif(
        not Path(pageweight.CHROMIUM).exists(),
        reason=f"{pageweight.CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk",
    ),
]

KB = 1024


def test_the_score_sheet_is_light_first_and_lighter_once_its_assets_are_cached(
    server, panel, monkeypatch
):
    pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    made = panel(judges=7, contestants=12)
    judge = made.cards[0][0]
    path = f"/judge/{made.competition.pk}/{made.contestants[1].pk}/"

    session = signed_in_session(judge.user)
    first, later = pageweight.measure(server.url(""), path, {"sessionid": session}, settle_ms=3000)

    assert first.urls[0] == server.url(path)  # the sheet itself, not a sign-in page
    assert any("bootstrap" in url and url.endswith(".css") for url in first.urls)
    assert any("/js/sheet." in url for url in first.urls)
    assert all(url.startswith(server.url("/")) for url in first.urls)
    # What keeping the competition for offline scoring adds to the first visit: its script, the
    # kit, the list page kept as the shell, and the service worker (fetched by the browser
    # itself, outside the page's network log: weighed here as it travels, gzipped).
    kit = server.url(f"/judge/{made.competition.pk}/kit/")
    shell = server.url(f"/judge/{made.competition.pk}/")
    offline = [url for url in first.urls if "/js/offline." in url] + [kit, shell]
    assert set(offline) <= set(first.urls), first.urls
    added = sum(first.sizes[url] for url in offline) + pageweight.gzipped(server.url("/sw.js"))
    assert added <= 60 * KB, {url: first.sizes[url] for url in offline}
    # The page, two style sheets, four scripts (Bootstrap's, the sheet's, the stage banner's and
    # the offline one), the icon, the kit and the shell.
    assert first.requests <= 10, first.urls
    assert first.bytes < 100 * KB + 60 * KB, first.bytes
    # Once cached, the page itself travels again, and one conditional request for the kit.
    assert later.urls == [server.url(path), kit], later.urls
    assert later.statuses[kit] == 304
    assert later.bytes < 15 * KB, later.bytes
    # The service worker fetched the page itself, which the page's log counts as nothing: weigh
    # it as it travels.
    assert pageweight.gzipped(server.url(path), session) < 15 * KB


def test_the_public_notice_is_light_on_a_phone_s_first_visit(server, panel, street_staff_carol):
    """52 secretaries, as a street has: the notice's first load, assets and all, under 50 KB."""
    from competition import services as competition_services
    from scoring.results.services import publish_competition
    from scoring.sheets.services import save_sheet

    made = panel(judges=5, contestants=52)
    competition = made.competition
    criteria = list(competition.criteria.all())
    for n, contestant in enumerate(made.contestants):
        for judge, _token in made.cards:
            points = {c.code: str(c.max_points - n % 10) for c in criteria}
            save_sheet(
                judge=judge,
                contestant=contestant,
                points=points,
                version=1,
                submit=True,
                by=judge.user,
            )
    competition_services.transition(competition=competition, action="close", by=street_staff_carol)
    publish_competition(competition=competition, by=street_staff_carol)
    path = f"/notice/{competition.pk}/"

    first, later = pageweight.measure(server.url(""), path, {})

    assert first.urls[0] == server.url(path)
    assert not any(url.endswith(".js") for url in first.urls)  # the public pages use no script
    assert first.bytes < 50 * KB, (first.bytes, first.urls)
    assert later.urls == [server.url(path)]
