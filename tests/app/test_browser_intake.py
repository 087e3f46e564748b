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
from browser_support import CHROMIUM, IN_CI, Watch, chromium_browser, new_page, screenshot
from live_server import LiveServer, serving
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

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
        page.select_option("select[name=ilo_excessive_overtime_present]", "yes")
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
