"""The reviewers' whole journey in a real headless Chromium, with JavaScript on.

An interviewer files a case with a recording through the intake form; a
reviewer signs in with TOTP, unlocks the key, opens the case from the queue,
plays the recording and seeks in it (HTTP Range), moves the case into
redaction, accepts suggestions, masks a typed phrase, clears the second
sweep and submits; the redactor cannot approve; a second reviewer approves.
Every page is screenshotted at 1366×768 (test-artifacts/journey/, numbered
in order), checked with axe-core, and watched for console errors (CSP
violations show there) and requests to anywhere but the server.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    CHROMIUM,
    IN_CI,
    Watch,
    axe_violations,
    chromium_browser,
    new_page,
    screenshot,
)
from live_server import LiveServer, serving
from media_samples import wav_bytes
from review_fixtures import SECOND_REVIEWER, add_second_reviewer
from web_support import PASSPHRASE, PASSWORD, IdentityPool, OrgFixture, TotpRegistry

from app.config import Settings
from app.models import Role

pytestmark = [
    # A live gunicorn and a browser: `make test-slow` (CI runs it too).
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Debian chromium is not installed"),
]

NARRATIVE = ("Our foreman Kim Chol-su took our passports when we landed in Vladivostok. "
             "I shared a room with Pak Yong-ho at the Tynda camp behind the blue sawmill.\n"
             "In March 2019 the Boss paid us 300 dollars for the whole winter.")
# Not a name the detector knows: masked by typing it.
TYPED_PHRASE = "the blue sawmill"
SECONDS = 6
SEEK_TO = 4.5

SEEKED = """async (to) => {
  const audio = document.querySelector('audio');
  if (audio.readyState < 1) {
    await new Promise((done) => audio.addEventListener('loadedmetadata', done, {once: true}));
  }
  await audio.play();
  const seeked = new Promise((done) => audio.addEventListener('seeked', done, {once: true}));
  audio.currentTime = to;
  await seeked;
  audio.pause();
  return {time: audio.currentTime, duration: audio.duration, ready: audio.readyState,
          error: audio.error && audio.error.code};
}"""

# Focus is visible when the focused control draws an outline or a box shadow.
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return el.matches(':focus-visible') && ((style.outlineStyle !== 'none'
    && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none');
}"""


def tone(seconds: int, rate: int = 8000) -> bytes:
    """A WAV of a 440 Hz tone, long enough to seek in."""
    frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
                      for n in range(seconds * rate))
    return wav_bytes(frames)


@dataclass
class Journey:
    """Every page visited: a numbered screenshot and its axe violations."""

    watch: Watch
    violations: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    def look(self, page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        self.shots.append(screenshot(page, "journey", f"{len(self.shots) + 1:02d}-{name}"))
        self.violations += [f"{name}: {line}" for line in axe_violations(page)]


def submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def sign_in(page: Any, journey: Journey, url: str, email: str, totp: TotpRegistry | None,
            prefix: str) -> None:
    page.goto(f"{url}/login")
    journey.look(page, f"{prefix}-login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "form.narrow button[type=submit]")
    if totp is not None:
        assert page.url.endswith("/login/code")
        journey.look(page, f"{prefix}-code")
        page.fill("input[name=code]", totp.next_code(email))
        submit(page, "form.narrow button[type=submit]")
        page.goto(f"{url}/key")
        journey.look(page, f"{prefix}-key")
        page.fill("input[name=passphrase]", PASSPHRASE)
        submit(page, "form.narrow button[type=submit]")
        assert "unlocked" in page.inner_text("main")
        journey.look(page, f"{prefix}-unlocked")


def tab_to(page: Any, selector: str, limit: int = 150) -> None:
    """Press Tab until ``selector`` has the focus (keyboard only), and check it shows."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            assert page.evaluate(FOCUS_SHOWN), f"no visible focus on {selector}"
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, workers=1) as live:
        yield live


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_case_goes_from_intake_to_approved_redaction_in_chromium(
        server: LiveServer, db: Any, demo_org: OrgFixture, identity_pool: IdentityPool,
        totp_registry: TotpRegistry, tmp_path: Path) -> None:
    # Wrapped at intake like the first reviewer, so this one can approve.
    add_second_reviewer(db, demo_org, identity_pool, totp_registry)
    recording = tmp_path / "interview.wav"
    recording.write_bytes(tone(SECONDS))
    url = server.url
    journey = Journey(Watch(url))

    with chromium_browser() as browser:
        # The interviewer files the case.
        page = new_page(browser, journey.watch)
        page.set_default_timeout(90_000)  # the worker warms the detector on first use
        sign_in(page, journey, url, demo_org.email(Role.INTERVIEWER), None, "interviewer")
        journey.look(page, "interviewer-home")
        submit(page, "text=Record a new interview")
        page.fill("input[name=interview_date]", "2024-02-10")
        page.check("input[name=consent_scopes][value=internal_only]")
        page.select_option("select[name=source_connection]", "experienced")
        page.select_option("select[name=sector]", "logging")
        # Parts without a required question start closed: opened as a person would.
        page.click("#part-indicators > summary")
        page.select_option("select[name=ilo_excessive_overtime_present]", "yes")
        page.click("#part-witness > summary")
        page.fill("input[name=name_dprk]", "Kim Chol-su")
        page.fill("textarea[name=narrative]", NARRATIVE)
        page.select_option("select[name=attachment_0_kind]", "audio")
        page.set_input_files("input[name=attachment_0]", str(recording))
        journey.look(page, "intake-form")
        submit(page, "text=Seal and store")
        assert page.locator("h1").inner_text() == "Interview sealed and stored", (
            page.locator(".error").all_inner_texts())
        case_id = page.locator(".case-id").inner_text()
        journey.look(page, "intake-receipt")
        page.context.close()

        # The reviewer opens it from the queue.
        page = new_page(browser, journey.watch)
        page.set_default_timeout(90_000)
        reviewer = demo_org.email(Role.REVIEWER)
        sign_in(page, journey, url, reviewer, totp_registry, "reviewer")
        submit(page, "main a:text-is('Queue')")
        journey.look(page, "queue")
        media: list[Any] = []
        page.on("response", lambda r: "/attachments/" in r.url and media.append(r))
        submit(page, f"a.case-id:text-is('{case_id}')")
        assert "Kim Chol-su" in page.inner_text("#narrative")
        journey.look(page, "case")

        # Play and seek: the recording streams in byte ranges.
        state = page.evaluate(SEEKED, SEEK_TO)
        assert state["error"] is None
        assert abs(state["duration"] - SECONDS) < 0.1
        assert abs(state["time"] - SEEK_TO) < 0.1
        assert state["ready"] >= 1
        page.wait_for_timeout(200)
        ranged = [r for r in media if "range" in r.request.headers]
        assert ranged, "the player sent no Range request"
        assert {r.status for r in ranged} == {206}, [(r.status, r.url) for r in ranged]
        audio_url = page.get_attribute("audio", "src")
        tail = page.request.get(f"{url}{audio_url}", headers={"Range": "bytes=-1000"})
        assert tail.status == 206
        assert tail.headers["content-range"].endswith(f"/{recording.stat().st_size}")
        assert tail.body() == recording.read_bytes()[-1000:]

        submit(page, "button:text-is('Start review')")
        assert page.inner_text(".case-status") == "in review"
        journey.look(page, "case-in-review")
        submit(page, "button:text-is('Start redaction')")
        assert page.inner_text(".case-status") == "in redaction"
        journey.look(page, "case-in-redaction")
        submit(page, "text=Open the redaction editor")
        journey.look(page, "editor")

        # Accept all of a category, then one suggestion by keyboard alone.
        page.select_option("select[name=group]", "PERSON")
        submit(page, "button:text-is('Accept them all')")
        assert "accepted" in page.inner_text(".flash")
        pending_mask = "tr.pending button[value=accepted]"
        assert page.locator(pending_mask).count() > 0, "nothing left to accept one by one"
        before = page.locator(pending_mask).count()
        tab_to(page, pending_mask)
        journey.look(page, "editor-keyboard-focus")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(pending_mask).count() == before - 1
        # Back at the list, not at the top of the page: the reviewer keeps their place.
        assert page.url.endswith("#suggestions-heading")
        journey.look(page, "editor-accepted")

        # A phrase the detector missed, typed.
        page.fill("input[name=phrase]", TYPED_PHRASE)
        page.select_option("select[name=category]", "PLACE")
        page.select_option("select[name=id_type]", "QUASI")
        submit(page, "#phrase-form button[type=submit]")
        assert "added" in page.inner_text(".flash")
        journey.look(page, "editor-phrase")
        # Decide the rest: mask what is left.
        while page.locator(pending_mask).count():
            submit(page, pending_mask)
        assert page.locator("tr.pending").count() == 0
        pseudonymised = page.inner_text("pre.pseudonymised >> nth=0")
        assert TYPED_PHRASE not in pseudonymised
        assert "Kim Chol-su" not in pseudonymised

        # The second sweep: mask numbers and dates, keep the rest.
        items = page.locator("fieldset.sweep-item")
        assert items.count() > 0, "the second sweep found nothing to check"
        for index in range(items.count()):
            item = items.nth(index)
            legend = item.locator("legend").inner_text()
            choice = "mask" if ("number" in legend or "date" in legend) else "safe"
            item.locator(f"input[value={choice}]").check()
        journey.look(page, "editor-sweep")
        # Not ready yet: the page says what is left and offers no submit button.
        assert "Not ready yet" in page.inner_text("#submit-heading + p")
        assert page.locator("button:text-is('Submit the redaction for approval')").count() == 0
        submit(page, "button:text-is('Save the sweep')")
        assert page.locator("fieldset.sweep-item").count() == 0 or \
            page.locator("fieldset.sweep-item input:checked").count() == \
            page.locator("fieldset.sweep-item").count()
        assert "Every suggestion and second-sweep item is decided" in page.inner_text(
            "#submit-heading + p")
        submit(page, "button:text-is('Submit the redaction for approval')")
        assert "Submitted for approval" in page.inner_text(".flash")
        journey.look(page, "approval-by-redactor")

        # The redactor cannot approve: no button, and a forged post is refused.
        assert page.locator("button:text-is('Approve the redaction')").count() == 0
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        forged = page.request.post(f"{url}/cases/{case_id}/approval/approve",
                                   form={"csrf_token": token}, max_redirects=0)
        assert forged.status == 403
        page.context.close()

        # A second reviewer approves, by keyboard.
        page = new_page(browser, journey.watch)
        page.set_default_timeout(90_000)
        sign_in(page, journey, url, SECOND_REVIEWER, totp_registry, "second")
        page.goto(f"{url}/cases/{case_id}/approval")
        journey.look(page, "approval")
        # The first Tab offers to skip the bar; Enter moves on to the page content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        assert page.evaluate(FOCUS_SHOWN), "no visible focus on the skip link"
        page.keyboard.press("Enter")
        tab_to(page, "button:text-is('Approve the redaction')", limit=30)
        journey.look(page, "approval-keyboard-focus")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Approved." in page.inner_text(".flash")
        assert "Approved" in page.inner_text("main p:has-text('Status')")
        journey.look(page, "approved")
        page.goto(f"{url}/cases/{case_id}")
        assert page.inner_text(".case-status") == "approved"
        journey.look(page, "case-approved")

    assert journey.violations == []
    assert journey.watch.console_errors == []
    assert journey.watch.outside_requests == []
