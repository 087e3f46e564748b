"""An admin builds and downloads an export in a real headless Chromium.

Approved cases are seeded through the services; the admin signs in with
TOTP, unlocks the key, chooses a purpose on the Exports page, builds, reads
the verification commands and downloads the bundle, which verifies. Every
page is screenshotted (test-artifacts/exports/) and checked with axe-core;
console errors and requests to anywhere but the server fail the test.
"""

from __future__ import annotations

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
from export_support import approved_case
from live_server import LiveServer, serving
from web_support import PASSPHRASE, PASSWORD, OrgFixture, TotpRegistry

from app.config import Settings
from app.exports.bag import verify_bag
from app.models import Role
from app.storage import BlobStore
from crypto import minisign

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Debian chromium is not installed"),
]


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, workers=1, export_dir=settings.export_dir,
                 export_key_dir=settings.export_key_dir) as live:
        yield live


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_admin_builds_and_downloads_a_signed_export_in_chromium(
        server: LiveServer, db: Any, demo_org: OrgFixture, blobs: BlobStore,
        totp_registry: TotpRegistry, tmp_path: Path) -> None:
    for number in range(3):
        approved_case(db, demo_org, blobs, narrative=f"Kim Chol-su kept passport {number}.",
                      masks=["Kim Chol-su"], indicators={"deception": "yes"})
    url, admin = server.url, demo_org.email(Role.ADMIN)
    watch = Watch(url)
    violations: list[str] = []

    def look(page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        screenshot(page, "exports", name)
        violations.extend(f"{name}: {line}" for line in axe_violations(page))

    with chromium_browser() as browser:
        page = new_page(browser, watch)
        page.set_default_timeout(90_000)
        page.goto(f"{url}/login")
        page.fill("input[name=email]", admin)
        page.fill("input[name=password]", PASSWORD)
        _submit(page, "form.narrow button[type=submit]")
        page.fill("input[name=code]", totp_registry.next_code(admin))
        _submit(page, "form.narrow button[type=submit]")
        page.goto(f"{url}/key")
        page.fill("input[name=passphrase]", PASSPHRASE)
        _submit(page, "form.narrow button[type=submit]")

        _submit(page, "nav a:text-is('Exports')")
        look(page, "01-exports")
        page.check("input[name=purpose][value=share_un]")
        _submit(page, "text=Build the export")
        assert page.locator("h1").inner_text().startswith("Export EX-")
        # Built in the background; the page refreshes itself until it is done.
        page.wait_for_selector("text=Download the bundle", timeout=120_000)
        assert "3" in page.locator("dl.answers").inner_text()
        assert "minisign -Vm tagmanifest-sha256.txt" in page.inner_text("main")
        look(page, "02-export")
        with page.expect_download() as download_info:
            page.click("text=Download the bundle")
        bundle = tmp_path / "bundle.tar"
        download_info.value.save_as(bundle)

        page.goto(f"{url}/exports")
        assert "EX-" in page.locator("table").inner_text()
        look(page, "03-exports-listed")
        # The admin's other pages this work changed: the members list (reset
        # two-factor, unlock) and the account page (new recovery codes).
        page.goto(f"{url}/members")
        assert page.locator("text=Reset two-factor").count() >= 1
        look(page, "04-members")
        page.goto(f"{url}/account")
        assert page.locator("text=New recovery codes").count() >= 1
        look(page, "05-account")
        page.context.close()

    db.expire_all()
    key = minisign.parse_public_key(demo_org.organisation.export_public_key or "")
    report = verify_bag(bundle, key)
    assert report.ok, report.problems
    assert report.info["Witnessbox-Cases-Included"] == "3"
    assert violations == []
    assert watch.console_errors == []
    assert watch.outside_requests == []
