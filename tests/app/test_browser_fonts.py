"""Korean and Russian render as letters, not as empty boxes, with the site's own font
stack in the Debian Chromium the suite uses (fonts-noto-cjk from
scripts/install-system-deps.sh)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, IN_CI, Watch, chromium_browser, new_page, screenshot
from live_server import LiveServer, serving
from PIL import Image, ImageChops

from app.config import Settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Debian chromium is not installed"),
]

SAMPLE = "증언을 봉인합니다 · Показания запечатаны · Testimony sealed"
# A private-use code point no font draws: what a missing glyph looks like here.
MISSING = "\ue000"

SHOW = """([text, lang]) => {
  const el = document.createElement('p');
  el.className = 'font-probe';
  el.lang = lang;
  el.textContent = text;
  el.setAttribute('data-probe', text);
  document.querySelector('main').prepend(el);
  return getComputedStyle(el).fontFamily;
}"""


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, workers=1) as live:
        yield live


def glyph(page: Any, char: str, lang: str) -> Image.Image:
    """One character drawn by the page's stylesheet, as an image."""
    page.evaluate(SHOW, [char, lang])
    shot = page.locator(f"p[data-probe='{char}']").screenshot()
    return Image.open(io.BytesIO(shot)).convert("L")


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_hangul_and_cyrillic_are_drawn_as_letters(server: LiveServer) -> None:
    with chromium_browser() as browser:
        page = new_page(browser, Watch(server.url))
        page.goto(f"{server.url}/login")
        family = page.evaluate(SHOW, [SAMPLE, "ko"])
        assert "Noto Sans CJK KR" in family  # the stack names a Hangul font
        screenshot(page, "fonts", "login-with-korean-and-russian")
        missing = glyph(page, MISSING, "ko")
        letters = {char: glyph(page, char, lang) for char, lang in
                   (("증", "ko"), ("언", "ko"), ("봉", "ko"), ("П", "ru"), ("ж", "ru"))}
    # A missing glyph is the same empty box for every character: real letters differ
    # from it and from each other.
    for char, image in letters.items():
        assert not same(image, missing), f"{char} is drawn as an empty box"
    images = list(letters.values())
    assert not any(same(a, b) for i, a in enumerate(images) for b in images[i + 1:])
