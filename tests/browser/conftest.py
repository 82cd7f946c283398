"""Playwright driving Debian's Chromium against the live test server."""

import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.chromium import CHROMIUM, FLAGS

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    # Playwright's sync API runs an event loop in the tests' thread; the ORM calls the tests
    # make there (creating data, checking rows) are still plain synchronous calls.
    with (
        pytest.MonkeyPatch.context() as patch,
        sync_api.sync_playwright() as playwright,
    ):
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page_at(browser, live_server):
    """A new page of the given viewport; every request it makes must stay on the test server."""
    contexts, pages = [], []

    def make(viewport=PHONE, language="zh-CN"):
        context = browser.new_context(viewport=viewport, locale=language)
        contexts.append(context)
        page = context.new_page()
        page.outside = []
        page.csp = []
        page.on(
            "console",
            lambda message: (
                page.csp.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((live_server.url, "data:"))
                else page.outside.append(request.url)
            ),
        )
        pages.append(page)
        return page

    yield make
    for page in pages:
        assert page.outside == [], f"requests left the server: {page.outside}"
        assert page.csp == [], f"the page broke its Content-Security-Policy: {page.csp}"
    for context in contexts:
        context.close()
    wait_for_the_server_to_finish()


def wait_for_the_server_to_finish(timeout: float = 15) -> None:
    """Wait until the live server has answered every request the closed pages had sent.

    A page's last requests (a service worker keeping pages for offline, a draft sent as the page
    reloads) may still be running on the server when the test ends; emptying the database under
    them deadlocks PostgreSQL and leaves the next test's rows behind. The server runs each
    connection in a thread of its own, named after ``process_request_thread``.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
        thread.name.endswith("(process_request_thread)") for thread in threading.enumerate()
    ):
        time.sleep(0.05)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
