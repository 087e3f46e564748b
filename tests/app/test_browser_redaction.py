"""The redaction editor in a real headless Chromium with JavaScript: select
words in the original text to mask them (app/static/redaction.js), under the
strict CSP, with no console error. Screenshots at 1366×768 go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, IN_CI, Watch, chromium_browser, new_page, screenshot
from live_server import LiveServer, serving
from review_fixtures import NARRATIVE, file_in_redaction
from web_support import PASSPHRASE, PASSWORD, TotpRegistry

from app.config import Settings
from app.models import Role
from app.storage import BlobStore

pytestmark = [
    # A live gunicorn and a browser: `make test-slow` (CI runs it too).
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Debian chromium is not installed"),
]

SELECT_WORDS = """([field, words]) => {
  const pre = document.querySelector(`pre.original[data-field="${field}"]`);
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.textContent.indexOf(words);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + words.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      pre.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
      return true;
    }
  }
  return false;
}"""


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, workers=1) as live:
        yield live


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_selecting_words_masks_them_in_chromium(server: LiveServer, db: Any, demo_org: Any,
                                                blobs: BlobStore, totp_registry: TotpRegistry,
                                                tmp_path: Path) -> None:
    case = file_in_redaction(db, demo_org, blobs)
    email = demo_org.email(Role.REVIEWER)
    watch = Watch(server.url)
    with chromium_browser() as browser:
        page = new_page(browser, watch)
        page.set_default_timeout(90_000)  # the worker warms the detector on first use
        page.goto(f"{server.url}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form.narrow button[type=submit]")
        page.fill("input[name=code]", totp_registry.next_code(email))
        with page.expect_navigation():
            page.click("form.narrow button[type=submit]")
        page.goto(f"{server.url}/key")
        page.fill("input[name=passphrase]", PASSPHRASE)
        with page.expect_navigation():
            page.click("form.narrow button[type=submit]")

        page.goto(f"{server.url}/cases/{case.public_id}/redaction")
        screenshot(page, "redaction", "editor")
        assert page.evaluate(SELECT_WORDS, ["narrative", "the site"])
        assert page.input_value("input[name=phrase]") == "the site"
        start = NARRATIVE.index("the site")
        assert page.input_value("input[name=start]") == str(start)
        assert "Selected" in page.inner_text("#selection-note")
        page.select_option("select[name=category]", "PLACE")
        page.select_option("select[name=id_type]", "QUASI")
        screenshot(page, "redaction", "editor-selection")
        with page.expect_navigation():
            page.click("#phrase-form button[type=submit]")
        assert "The selected words are masked." in page.inner_text("main")
        pseudonymised = page.inner_text("section:has(#text-narrative) pre.pseudonymised")
        assert "the site" not in pseudonymised
        assert "on [PLACE" in pseudonymised
        screenshot(page, "redaction", "editor-masked")
    assert watch.console_errors == []
    assert watch.outside_requests == []
