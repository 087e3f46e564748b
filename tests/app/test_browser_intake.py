"""An interviewer's whole journey in a real headless Chromium, without JavaScript help.

Sign in with an issued password, replace it, fill the intake form, attach a
photo, submit, read the receipt. The page must raise no console error (a CSP
violation would show there) and load nothing from outside the server.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
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
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import PASSWORD

from app.config import Settings
from app.models import Case, Role, SealedKind
from app.orgs.service import add_member

pytestmark = [
    # A live gunicorn and a browser: `make test-slow` (CI runs it too).
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Debian chromium is not installed"),
]


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, workers=1) as live:
        yield live


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_interviewer_records_an_interview_in_chromium(server: LiveServer, db: Session,
                                                      demo_org: Any, tmp_path: Path) -> None:
    add_member(db, demo_org.organisation, "field@alpha.test", "issued-password-1",
               Role.INTERVIEWER)
    db.commit()
    photo = tmp_path / "site.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())

    watch = Watch(server.url)
    with chromium_browser() as browser:
        page = new_page(browser, watch, javascript=False)

        page.goto(f"{server.url}/login")
        page.fill("input[name=email]", "field@alpha.test")
        page.fill("input[name=password]", "issued-password-1")
        with page.expect_navigation():
            page.click("form.narrow button[type=submit]")
        assert page.url.endswith("/password")
        page.fill("input[name=current_password]", "issued-password-1")
        page.fill("input[name=new_password]", "a passphrase of my own")
        page.fill("input[name=confirm]", "a passphrase of my own")
        with page.expect_navigation():
            page.click("form.narrow button[type=submit]")

        with page.expect_navigation():
            page.click("text=Record a new interview")
        page.fill("input[name=interview_date]", "2024-02-10")
        page.check("input[name=consent_scopes][value=internal_only]")
        page.select_option("select[name=source_connection]", "experienced")
        page.select_option("select[name=sector]", "logging")
        # Parts without a required question start closed: opened as a person would.
        page.click("#part-indicators > summary")
        page.select_option("select[name=ilo_excessive_overtime_present]", "yes")
        page.click("#part-witness > summary")
        page.fill("input[name=name_dprk]", "Browser Witness")
        page.fill("textarea[name=narrative]", "We cut timber in the taiga from dawn.")
        page.select_option("select[name=attachment_0_kind]", "photo")
        page.set_input_files("input[name=attachment_0]", str(photo))
        with page.expect_navigation():
            page.click("text=Seal and store")

        assert page.locator("h1").inner_text() == "Interview sealed and stored", (
            page.locator(".error").all_inner_texts())
        case_id = page.locator(".case-id").inner_text()
        assert page.locator("table.receipt tbody tr").count() == 3
        screenshot(page, "intake", "receipt")

    assert watch.console_errors == []
    assert watch.outside_requests == []
    case = db.scalars(select(Case).where(Case.public_id == case_id)).one()
    assert case.sector == "logging"
    assert sorted(o.kind for o in case.sealed_objects) == sorted(
        [SealedKind.NARRATIVE, SealedKind.FIELDS, SealedKind.ATTACHMENT])


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_failed_check_keeps_every_answer_in_chromium(server: LiveServer, db: Session,
                                                       demo_org: Any, tmp_path: Path) -> None:
    """Leave out a required answer, attach a recording: the form comes back with every
    answer, the summary at the top links to the question, and names the file to attach
    again. The form and the page it comes back as pass axe-core. This is the server's
    check, as for a browser without the sealing script (blocked here; with it, the page
    seals in the browser and checks before sealing: tests/app/test_browser_seal.py)."""
    recording = tmp_path / "interview.m4a"
    recording.write_bytes(b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 64)
    watch = Watch(server.url)
    narrative = "We cut timber in the taiga from dawn.\nThe foreman kept our passports."
    with chromium_browser() as browser:
        page = new_page(browser, watch)
        # axe needs JavaScript in the page; the sealing script alone is kept out.
        page.route("**/intake-seal.js", lambda route: route.abort())
        sign_in_as(page, server.url, demo_org.email(Role.INTERVIEWER))
        page.goto(f"{server.url}/intake/")
        assert axe_violations(page) == []
        screenshot(page, "intake", "form")
        page.fill("textarea[name=narrative]", narrative)
        page.fill("input[name=interview_date]", "2024-02-10")
        page.check("input[name=consent_scopes][value=share_un]")
        page.select_option("select[name=source_connection]", "experienced")
        page.click("#part-witness > summary")  # a closed part opens without a script
        page.fill("input[name=name_dprk]", "Browser Witness")
        page.select_option("select[name=attachment_1_kind]", "audio")
        page.set_input_files("input[name=attachment_1]", str(recording))
        with page.expect_navigation():
            page.click("text=Seal and store")

        summary = page.locator(".error-summary")
        assert "The interview is not stored yet" in summary.inner_text()
        assert "Attach again: interview.m4a" in summary.inner_text()
        assert page.evaluate("document.activeElement.className") == "error-summary"
        screenshot(page, "intake", "form-sent-back")
        assert axe_violations(page) == []
        assert page.input_value("textarea[name=narrative]") == narrative
        assert page.input_value("input[name=name_dprk]") == "Browser Witness"
        assert page.is_checked("input[name=consent_scopes][value=share_un]")
        assert page.input_value("select[name=attachment_1_kind]") == "audio"
        # The link in the summary leads to the question.
        page.click(".error-summary a[href='#sector']")
        assert page.url.endswith("#sector")
        assert page.locator("#sector").is_visible()
        screenshot(page, "intake", "form-at-the-question")
        page.select_option("select[name=sector]", "logging")
        page.set_input_files("input[name=attachment_1]", str(recording))
        with page.expect_navigation():
            page.click("text=Seal and store")
        assert page.locator("h1").inner_text() == "Interview sealed and stored", (
            page.locator(".error-summary").all_inner_texts())
    # The form sent back answers 400, which Chromium reports; nothing else may show.
    # The 400 of the refused form, and the sealing script this test keeps out.
    assert [e for e in watch.console_errors
            if "status of 400" not in e and "net::ERR_FAILED" not in e] == []
    assert watch.outside_requests == []
    case = db.scalars(select(Case).where(Case.sector == "logging")).one()
    assert case.consent_scopes == ["share_un"]


def sign_in_as(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.narrow button[type=submit]")
