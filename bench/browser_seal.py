#!/usr/bin/env python3
"""Sealing an attachment in headless Chromium: the intake page's own script.

    .venv/bin/python bench/browser_seal.py              # 100 MiB, 3 runs (~1 min)
    .venv/bin/python bench/browser_seal.py --mib 20 --runs 1

No server: Playwright answers the page's requests itself (a small intake
form with the real #browser-seal container, the committed
app/static/intake-seal.js, and a sealing context signed with a throwaway
key for three recipients, built by the server's own code). The file (random
bytes, so no photo cleaner runs: the audio and document path) is chosen in
the form and "Seal and store" clicked; the page's performance marks say how
long each step took, and the upload is cut off when it starts (the network
is not what is measured). Each run uses a fresh browser context.

Printed: one line per run and, last, ``browser_seal mib=N seal_s=...
check_s=... queue_s=... total_s=... mb_s=...`` (medians; MB/s of plaintext
through sealing and self-check together).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, sys.path[0] is bench/, whose queue.py would shadow the stdlib.
sys.path[0] = str(ROOT)

import crypto  # noqa: E402
from app.audit.keyfile import public_key_text  # noqa: E402
from app.intake.presealed import sealing_schema  # noqa: E402
from app.intake.recipients_doc import DOMAIN, fingerprint  # noqa: E402

ORIGIN = "http://127.0.0.1:9"  # loopback: a secure context; nothing listens, Playwright answers
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FORM = """<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<script type="module" src="/static/intake-seal.js"></script></head><body>
<form method="post" action="/intake/" enctype="multipart/form-data">
<input type="hidden" name="csrf_token" value="x">
<input type="hidden" name="submission_token" value="x">
<div id="browser-seal" hidden data-context-url="/intake/sealing-context" data-worker-url=""
 data-worker-scope="/intake/" data-login-url="/login"></div>
<input name="interview_date" value="2024-03-01"><input name="sector" value="logging">
<input name="consent_scopes" value="internal_only">
<input name="source_connection" value="experienced">
<textarea name="narrative">A statement with one large recording.</textarea>
<select name="attachment_0_kind"><option value="audio">Audio</option></select>
<input type="file" name="attachment_0"><button type="submit">Seal and store</button>
</form></body></html>"""


def sealing_context() -> dict[str, Any]:
    key = crypto.SigningKey.generate()
    payload = json.dumps({"version": 1, "organisation": "bench", "issued_at": "2026-01-01",
                          "recipients": [{"recipient": str(crypto.CaseKey.create().recipient),
                                          "purpose": "member"} for _ in range(3)]},
                         sort_keys=True, separators=(",", ":"))
    return {"recipients": {"payload": payload,
                           "signature": base64.b64encode(key.sign((DOMAIN + payload).encode()))
                           .decode(),
                           "public_key": public_key_text(key.verify_key),
                           "fingerprint": fingerprint(key.verify_key)},
            "schema": sealing_schema(), "max_upload_bytes": 2**40, "csrf_token": "x",
            "submit_url": "/intake/sealed", "receipt_url": "/intake/receipts/CASE_ID"}


def run_once(browser: Any, upload: Path, context_json: str) -> dict[str, float]:
    bundle = (ROOT / "app" / "static" / "intake-seal.js").read_bytes()
    context = browser.new_context(service_workers="block")
    try:
        def answer(route: Any) -> None:
            path = route.request.url[len(ORIGIN):]
            if path == "/intake/":
                route.fulfill(body=FORM, content_type="text/html")
            elif path == "/static/intake-seal.js":
                route.fulfill(body=bundle, content_type="text/javascript")
            elif path == "/intake/sealing-context":
                route.fulfill(body=context_json, content_type="application/json")
            else:
                route.abort()  # the upload itself: not measured
        context.route(f"{ORIGIN}/**", answer)
        page = context.new_page()
        page.goto(f"{ORIGIN}/intake/")
        page.locator("#browser-seal .seal-status", has_text="Sealed in this browser").wait_for()
        page.set_input_files("input[name=attachment_0]", str(upload))
        started = time.perf_counter()
        page.click("text=Seal and store")
        page.locator(".seal-item, .seal-warning:not([hidden])").first.wait_for(
            timeout=600_000)
        if page.locator(".seal-item").count() == 0:
            raise SystemExit("the page refused: " + page.locator(".seal-warning").inner_text())
        wall = time.perf_counter() - started
        marks = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('mark')
            .map(m => [m.name.replace('witnessbox:', ''), m.startTime]))""")
    finally:
        context.close()
    return {"seal_s": (marks["sealed"] - marks["seal-start"]) / 1000,
            "check_s": (marks["checked"] - marks["sealed"]) / 1000,
            "queue_s": (marks["queued"] - marks["checked"]) / 1000,
            "total_s": (marks["queued"] - marks["seal-start"]) / 1000,
            "reset_s": (marks["shown"] - marks["queued"]) / 1000,
            "before_s": (marks["seal-start"] - marks["submit"]) / 1000, "wall_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise SystemExit("Debian chromium is not installed")
    with tempfile.TemporaryDirectory() as folder:
        upload = Path(folder) / "recording.bin"
        with upload.open("wb") as out:
            for _ in range(args.mib):
                out.write(os.urandom(1024 * 1024))
        context_json = json.dumps(sealing_context())
        results = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new",
                                                "--disable-background-networking"])
            try:
                for run in range(args.runs):
                    result = run_once(browser, upload, context_json)
                    results.append(result)
                    print(f"run {run + 1}: " + " ".join(f"{k}={v:.2f}" for k, v in
                                                        result.items()), flush=True)
            finally:
                browser.close()
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    mb_s = args.mib / (median["seal_s"] + median["check_s"])
    print(f"browser_seal mib={args.mib} seal_s={median['seal_s']:.2f} "
          f"check_s={median['check_s']:.2f} queue_s={median['queue_s']:.2f} "
          f"total_s={median['total_s']:.2f} mb_s={mb_s:.1f}")


if __name__ == "__main__":
    main()
