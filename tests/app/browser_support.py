"""Headless Debian Chromium for the browser tests: launch, watch, check, screenshot.

Only the browser comes from Debian (scripts/install-system-deps.sh); Playwright
drives it and axe-core comes bundled in the axe-playwright-python wheel, so no
page ever loads anything from outside the server under test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# The laptop screen most reviewers have: every screenshot is taken at this size.
VIEWPORT = {"width": 1366, "height": 768}
# Saved by every run for people to look at (not compared automatically).
SCREENSHOTS = Path(os.environ.get(
    "WITNESSBOX_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-artifacts"))


def require_chromium() -> Any:
    """The Playwright sync API, or a skip (a failure in CI) when it cannot run."""
    api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Debian chromium is missing: scripts/install-system-deps.sh "
                        "installs it", pytrace=False)
        pytest.skip("Debian chromium is not installed")
    return api


@dataclass
class Watch:
    """What a page did that it must not: console errors (CSP violations show
    there) and requests to anywhere but the server under test."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda message: message.type == "error"
                and self.console_errors.append(message.text))
        page.on("request", lambda request: None if request.url.startswith(self.origin)
                else self.outside_requests.append(request.url))


@contextmanager
def chromium_browser() -> Iterator[Any]:
    api = require_chromium()
    with api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, watch: Watch, *, javascript: bool = True) -> Any:
    page = browser.new_page(viewport=VIEWPORT, java_script_enabled=javascript)
    watch.attach(page)
    return page


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line each
    (the page must have JavaScript on: axe runs in it).

    Playwright evaluates the script through the DevTools protocol, so the
    page's CSP (script-src 'self') does not block it and need not be relaxed.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


# What the suite refuses outright; "moderate" and "minor" findings are reported too.
SERIOUS = frozenset({"serious", "critical"})


def axe_findings(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations as axe reports them (id, impact, help, nodes)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    findings: list[dict[str, Any]] = results.response["violations"]
    return findings


# Every visible form control, and the name a screen reader would give it (empty: none).
UNNAMED_CONTROLS = """() => {
  const text = (el) => (el ? el.innerText || el.textContent || '' : '').trim();
  const named = (el) => {
    if ((el.getAttribute('aria-label') || '').trim()) return true;
    const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    if (by.some((id) => text(document.getElementById(id)))) return true;
    if (el.labels && [...el.labels].some((label) => text(label))) return true;
    if ((el.title || '').trim()) return true;
    if (el.tagName === 'BUTTON') return text(el) !== '';
    if (['submit', 'reset', 'button'].includes(el.type)) return (el.value || '').trim() !== '';
    return false;
  };
  // Not rendered at all (hidden, or inside something not displayed): no one meets it.
  // A closed <details> still counts: its controls are a click away.
  const rendered = (el) => {
    for (let node = el; node; node = node.parentElement) {
      if (node.hidden || getComputedStyle(node).display === 'none') return false;
    }
    return true;
  };
  return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter((el) => rendered(el) && !named(el)).map((el) => el.outerHTML.slice(0, 160));
}"""


def open_every_part(page: Any) -> None:
    """Open the intake form's closed parts by clicking their summaries, as a
    person does (no script of ours involved), so that every field can be filled."""
    closed = page.locator("details.part:not([open]) > summary")
    while closed.count():  # each click opens one: the list shrinks as it goes
        closed.first.click()


def screenshot(page: Any, folder: str, name: str) -> Path:
    path = SCREENSHOTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=False)
    return path
