"""The redaction editor in a real headless Chromium with JavaScript: select
words in the original text to mask them (app/static/redaction.js), under the
strict CSP, with no console error. Screenshots at 1366×768 go to tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import LiveServer, serving
from review_fixtures import NARRATIVE, file_in_redaction
from test_browser_intake import CHROMIUM, CHROMIUM_ARGS, playwright_api
from web_support import PASSPHRASE, PASSWORD, TotpRegistry

from app.config import Settings
from app.models import Role
from app.storage import BlobStore

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")

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
    problems: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.set_default_timeout(90_000)  # the worker warms the detector on first use
        page.on("console", lambda message: message.type == "error" and problems.append(
            message.text))
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
        page.screenshot(path=str(tmp_path / "editor.png"))
        assert page.evaluate(SELECT_WORDS, ["narrative", "the site"])
        assert page.input_value("input[name=phrase]") == "the site"
        start = NARRATIVE.index("the site")
        assert page.input_value("input[name=start]") == str(start)
        assert "Selected" in page.inner_text("#selection-note")
        page.select_option("select[name=category]", "PLACE")
        page.select_option("select[name=id_type]", "QUASI")
        page.screenshot(path=str(tmp_path / "editor-selection.png"))
        with page.expect_navigation():
            page.click("#phrase-form button[type=submit]")
        assert "The selected words are masked." in page.inner_text("main")
        pseudonymised = page.inner_text("section:has(#text-narrative) pre.pseudonymised")
        assert "the site" not in pseudonymised
        assert "on [PLACE" in pseudonymised
        page.screenshot(path=str(tmp_path / "editor-masked.png"), full_page=True)
        browser.close()
    assert problems == []
