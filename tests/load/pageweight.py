"""What the score sheet costs a judge on a weak network: bytes on the wire and requests, on the
first load (empty cache) and on a later visit (assets cached), read from Chromium's own network
log. Used by tests/load/test_page_weight.py and by the benchmark."""

import urllib.request
from dataclasses import dataclass

from tests.browser.chromium import CHROMIUM, FLAGS

# The stage banner asks for the stage's state every four seconds: that poll, whenever it falls
# inside the wait after a load, is not the load.
POLL = "/screen/state/"


@dataclass
class Load:
    requests: int  # requests that went to the server
    bytes: int  # what crossed the wire for them: headers and compressed bodies
    urls: list[str]
    sizes: dict[str, int]  # bytes on the wire per URL
    statuses: dict[str, int]

    def as_dict(self) -> dict:
        return {"requests": self.requests, "bytes": self.bytes, "kb": round(self.bytes / 1024, 1)}


def _load(page, cdp, url: str, settle_ms: int = 0) -> Load:
    seen: dict[str, dict] = {}

    def sent(event):
        seen[event["requestId"]] = {
            "url": event["request"]["url"],
            "bytes": 0,
            "cached": False,
            "status": 0,
        }

    def cached(event):
        if event["requestId"] in seen:
            seen[event["requestId"]]["cached"] = True

    def received(event):
        if event["requestId"] in seen:
            seen[event["requestId"]]["status"] = int(event["response"]["status"])
        if event["requestId"] in seen and (
            event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache")
        ):
            seen[event["requestId"]]["cached"] = True

    def finished(event):
        if event["requestId"] in seen:
            seen[event["requestId"]]["bytes"] = int(event["encodedDataLength"])

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.requestServedFromCache", cached)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(settle_ms)  # what the page's scripts fetch after the load
    for name, handler in (
        ("Network.requestWillBeSent", sent),
        ("Network.requestServedFromCache", cached),
        ("Network.responseReceived", received),
        ("Network.loadingFinished", finished),
    ):
        cdp.remove_listener(name, handler)
    wire = [
        r
        for r in seen.values()
        if not r["cached"] and not r["url"].startswith("data:") and POLL not in r["url"]
    ]
    return Load(
        requests=len(wire),
        bytes=sum(r["bytes"] for r in wire),
        urls=[r["url"] for r in wire],
        sizes={r["url"]: r["bytes"] for r in wire},
        statuses={r["url"]: r["status"] for r in wire},
    )


def measure(
    base_url: str, path: str, cookies: dict[str, str], settle_ms: int = 0
) -> tuple[Load, Load]:
    """The first load of `path` with an empty cache, then a later visit with assets cached;
    `settle_ms` waits after each load for what the page's scripts fetch once loaded."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            # Over plain HTTP Chromium asks for gzip, not brotli: behind HTTPS pages weigh less.
            context = browser.new_context()
            context.add_cookies(
                [{"name": k, "value": v, "url": base_url} for k, v in cookies.items()]
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            first = _load(page, cdp, base_url + path, settle_ms)
            page.goto("about:blank")
            later = _load(page, cdp, base_url + path, settle_ms)
        finally:
            browser.close()
    return first, later


def gzipped(url: str, session: str = "") -> int:
    """Bytes of a response as it travels compressed: headers and body."""
    headers = {"Accept-Encoding": "gzip", "Cookie": f"sessionid={session}"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own test server)
    with urllib.request.urlopen(request) as response:  # noqa: S310 (our own test server)
        body = response.read()
        headers = sum(len(k) + len(v) + 4 for k, v in response.getheaders())
    return len(body) + headers
