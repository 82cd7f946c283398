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

    first, later = pageweight.measure(
        server.url(""), path, {"sessionid": signed_in_session(judge.user)}
    )

    assert first.urls[0] == server.url(path)  # the sheet itself, not a sign-in page
    assert any("bootstrap" in url and url.endswith(".css") for url in first.urls)
    assert any("/js/sheet." in url for url in first.urls)
    assert all(url.startswith(server.url("/")) for url in first.urls)
    assert first.requests <= 6, first.urls
    assert first.bytes < 100 * KB, first.bytes
    # Once cached, only the page itself travels again.
    assert later.urls == [server.url(path)]
    assert later.bytes < 15 * KB, later.bytes
