"""The Chromium the browser tests, the page-weight test and the benchmark drive: Debian's own,
headless, with nothing running in the background that would add requests."""

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
