"""Browser fixtures: the app served on a free localhost port, driven by Playwright with
Debian's Chromium; axe-core (WCAG 2.1 A/AA) must be run on every page a test visits."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Generous limits for a busy 2-core machine. They are upper bounds, not waits: every action
# and every expect() returns as soon as its condition holds.
TIMEOUT_MS = 30_000
LAUNCH_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Webbläsartesterna kräver Debian-paketet 'chromium' ({CHROMIUM}); "
            "`make test` installerar det när det körs som root."
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            timeout=LAUNCH_TIMEOUT_MS,
        )
        yield browser
        browser.close()


class AxeChecker:
    """Runs axe-core on the page and remembers which URLs were checked."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self._axe = Axe()
        self.visited: set[str] = set()
        self.checked: set[str] = set()

    def __call__(self, page) -> None:
        page.wait_for_load_state("load")
        results = self._axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        violations = results.response["violations"]
        self.checked.add(_strip(page.url))
        report = os.environ.get("VARNA_AXE_REPORT")
        if report:  # a list of every page axe checked, for finding pages no test visits
            with open(report, "a", encoding="utf-8") as f:
                f.write(_strip(page.url) + "\n")
        assert not violations, f"axe-core på {page.url}:\n" + results.generate_report()


def _strip(url: str) -> str:
    """A page is its path: the same page with another query string counts as checked."""
    return url.split("#", 1)[0].split("?", 1)[0]


@pytest.fixture(scope="session")
def _axe_engine() -> AxeChecker:
    return AxeChecker()


@pytest.fixture
def page(browser, live_server: str, _axe_engine: AxeChecker, request) -> Iterator[object]:
    """A fresh browser context (no cookies) at phone or desktop size.

    Every URL the page lands on must be checked with `axe(page)` before the test ends.
    """
    viewport = getattr(request, "param", None) or {"width": 1280, "height": 900}
    context = browser.new_context(base_url=live_server, viewport=viewport, locale="sv-SE")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    _axe_engine.visited = set()
    _axe_engine.checked = set()
    page.on(
        "framenavigated",
        lambda frame: (
            frame == page.main_frame
            and frame.url.startswith(live_server)  # Värna's pages, not an identity provider's
            and _axe_engine.visited.add(_strip(frame.url))
        ),
    )
    yield page
    context.close()
    unchecked = _axe_engine.visited - _axe_engine.checked
    if unchecked and not getattr(request.node, "rep_call_failed", True):
        pytest.fail(f"axe-core kördes inte på: {sorted(unchecked)}")


@pytest.fixture
def axe(_axe_engine: AxeChecker) -> AxeChecker:
    return _axe_engine


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call_failed = report.failed


def login(page, email: str, password: str, axe: AxeChecker | None = None) -> None:
    page.goto("/logga-in")
    if axe is not None:
        axe(page)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
