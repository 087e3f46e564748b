"""The browser's photo cleaner and sniffer give the server's answer, byte for byte.

web/src/clean.js and sniff.js are ports of app/intake/media/jpeg.py, png.py
and sniff.py (a browser-sealed photo never reaches the server's cleaner). They
import nothing, so Chromium loads them as they are from the source tree, on
a page Playwright serves itself, and cleans the same samples the server's
tests use: the output (or the refusal) must match app.intake.media.clean.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, IN_CI, chromium_browser
from media_samples import (
    exif_segment,
    insert_before_eoi,
    insert_before_scan,
    jpeg_with_metadata,
    plain_jpeg,
    png_with_metadata,
    segment,
    wav_bytes,
)

from app.intake import media

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Debian chromium is not installed"),
]

SOURCES = Path(__file__).resolve().parents[2] / "web" / "src"
ORIGIN = "http://127.0.0.1:9"


def samples() -> dict[str, bytes]:
    progressive = jpeg_with_metadata(progressive=True)
    return {
        "jpeg with EXIF, ICC, XMP, comment": jpeg_with_metadata(),
        "plain jpeg": plain_jpeg(),
        "progressive jpeg, EXIF between scans": insert_before_scan(progressive, 2,
                                                                   exif_segment()),
        "jpeg, comment before EOI and bytes after": insert_before_eoi(
            plain_jpeg(), segment(0xFE, b"LateSecret")) + b"AppendedSecret",
        "truncated jpeg": plain_jpeg()[:300],
        "png with text, eXIf, iCCP, C2PA, trailing": png_with_metadata(),
        "damaged png": png_with_metadata()[:60] + b"\x00" + png_with_metadata()[61:],
        "wav": wav_bytes(),
    }


def server_answer(data: bytes) -> dict[str, Any]:
    try:
        cleaned = media.clean(io.BytesIO(data))
        out = cleaned.read()
        while piece := cleaned.read():
            out += piece
    except media.MalformedMedia:
        return {"kind": media.sniff(data[:4096]).kind, "refused": True}
    result: dict[str, Any] = {"kind": cleaned.kind, "format": cleaned.format,
                              "refused": False}
    if cleaned.format in ("jpeg", "png"):
        result.update(metadata=cleaned.metadata, bytes=base64.b64encode(out).decode())
    return result


BROWSER = """async (samples) => {
  const { sniff } = await import('/src/sniff.js');
  const { cleanPhoto, UnsupportedPhoto } = await import('/src/clean.js');
  const out = {};
  for (const [name, encoded] of Object.entries(samples)) {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const detected = sniff(bytes.subarray(0, 4096));
    try {
      const cleaned = cleanPhoto(detected.format, bytes);
      const result = { kind: detected.kind, format: detected.format, refused: false };
      if (cleaned) {
        result.metadata = cleaned.metadata;
        result.bytes = btoa(String.fromCharCode(...cleaned.bytes));
      }
      out[name] = result;
    } catch (error) {
      if (!(error instanceof UnsupportedPhoto)) throw error;
      out[name] = { kind: detected.kind, refused: true };
    }
  }
  return out;
}"""


def test_browser_cleaner_matches_the_servers() -> None:
    cases = samples()
    with chromium_browser() as browser:
        page = browser.new_page()

        def answer(route: Any) -> None:
            path = route.request.url[len(ORIGIN):]
            if path.startswith("/src/") and (SOURCES / path[5:]).is_file():
                route.fulfill(body=(SOURCES / path[5:]).read_bytes(),
                              content_type="text/javascript")
            else:
                route.fulfill(body="<!doctype html><title>parity</title>",
                              content_type="text/html")

        page.route(f"{ORIGIN}/**", answer)
        page.goto(f"{ORIGIN}/")
        got = page.evaluate(BROWSER, {name: base64.b64encode(data).decode()
                                      for name, data in cases.items()})
    for name, data in cases.items():
        assert got[name] == server_answer(data), name
    assert got["truncated jpeg"]["refused"] is True
    assert got["jpeg with EXIF, ICC, XMP, comment"]["metadata"] == "removed"
