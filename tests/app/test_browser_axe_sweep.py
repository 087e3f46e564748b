"""axe-core on every page of the app, as each role sees it, in a real headless Chromium.

The pages are not listed by hand: every GET route of the Flask url_map is visited,
those without parameters as they are, those with parameters with one seeded object
each (a case in redaction, its receipt, a cluster, an export, an invitation, a
member). Anonymous visitors, the interviewer, the reviewer and the admin each sign in
(key holders with TOTP, then unlock their key) and open every route; whatever the
page is (the page itself, a refusal, a redirect's target) is screenshotted at
1366×768 (test-artifacts/axe/) and checked: no serious or critical axe-core
violation, and every form control has a name. The table of every visit is written
to test-artifacts/axe/results.txt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    CHROMIUM,
    IN_CI,
    SCREENSHOTS,
    SERIOUS,
    UNNAMED_CONTROLS,
    Watch,
    axe_findings,
    chromium_browser,
    new_page,
    screenshot,
)
from flask import Flask
from intake_data import file_case
from live_server import LiveServer, serving
from media_samples import wav_bytes
from review_fixtures import file_in_redaction
from sqlalchemy.orm import Session
from web_support import PASSPHRASE, PASSWORD, OrgFixture, TotpRegistry

from app.clusters.service import add_case, create_cluster
from app.config import Settings
from app.models import ClusterReason, Export, ExportPurpose, ExportStatus, Invitation, Role
from app.orgs.service import add_member
from app.storage import BlobStore

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Debian chromium is not installed"),
]

INVITATION_TOKEN = "sweep-invitation-token-0123456789abcdef"
# Not pages: the bytes of a sealed attachment, and the stylesheet.
NOT_PAGES = {"static", "cases.attachment",
             # The service worker script and the signed recipient list (JSON).
             "sealed_intake.service_worker", "sealed_intake.context"}
SIGN_IN_STEPS = {"auth.login", "auth.second_factor"}
ROLES = ("anonymous", Role.INTERVIEWER.value, Role.REVIEWER.value, Role.ADMIN.value)


@dataclass
class Visit:
    role: str
    endpoint: str
    path: str
    status: int
    landed: str
    serious: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)

    def line(self) -> str:
        where = "" if self.landed == self.path else f" -> {self.landed}"
        verdict = "ok" if not (self.serious or self.unnamed) else "FAIL"
        notes = "; ".join(self.serious + self.unnamed + [f"(minor) {o}" for o in self.other])
        return (f"{verdict:4} {self.role:11} {self.status} {self.endpoint:28} "
                f"{self.path}{where}{'  ' + notes if notes else ''}")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    from dataclasses import replace

    # Four sign-ins from one address in a minute: not what the limits are tested for.
    generous = "10000 per minute"
    return replace(settings, login_rate_limit=generous, second_factor_rate_limit=generous,
                   sensitive_rate_limit=generous)


@pytest.fixture
def server(settings: Settings, tmp_path: Path, demo_org: Any) -> Iterator[LiveServer]:
    with serving(settings, tmp_path, workers=1, export_dir=settings.export_dir,
                 export_key_dir=settings.export_key_dir) as live:
        yield live


def seed(db: Session, org: OrgFixture, blobs: BlobStore) -> dict[str, Any]:
    """One object of each kind a parameterised page shows, in the organisation."""
    victim = add_member(db, org.organisation, "leaving@alpha.test", "victim password 1",
                        Role.INTERVIEWER, must_change_password=False)
    db.add(Invitation(organisation_id=org.organisation.id, email="new@alpha.test",
                      role=Role.INTERVIEWER,
                      token_sha256=hashlib.sha256(INVITATION_TOKEN.encode()).hexdigest(),
                      expires_at=datetime.now(UTC) + timedelta(hours=1)))
    db.commit()
    filed = file_case(db, org, blobs, attachments=[("audio", "a.wav", wav_bytes())])
    editing = file_in_redaction(db, org, blobs)
    reviewer = org.members[Role.REVIEWER]
    cluster = create_cluster(db, reviewer, ClusterReason.SAME_TEAM, filed.public_id)
    add_case(db, reviewer, cluster.public_id, editing.public_id)
    export = Export(public_id="EX-SWEEP", organisation_id=org.organisation.id,
                    purpose=ExportPurpose.AGGREGATE_STATS, scope={},
                    status=ExportStatus.AWAITING_APPROVAL, needs_approval=True,
                    excluded_counts={})
    db.add(export)
    db.commit()
    return {
        "cases.view": {"public_id": filed.public_id},
        "workflow.status": {"public_id": filed.public_id},
        "retention.case": {"public_id": filed.public_id},
        "review.editor": {"public_id": editing.public_id},
        "review.approval": {"public_id": editing.public_id},
        "intake.receipt": {"case_id": filed.public_id},
        "clusters.show": {"public_id": cluster.public_id},
        "exports.show": {"public_id": export.public_id},
        "members.accept": {"token": INVITATION_TOKEN},
        "members.remove": {"membership_id": victim.id},
    }


def pages(app: Flask, params: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET route, parameterised ones with a seeded object."""
    found = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in (rule.methods or set()) or rule.endpoint in NOT_PAGES:
                continue
            if rule.arguments and rule.endpoint not in params:
                raise AssertionError(f"{rule.endpoint}: no seeded object for {rule.rule}; "
                                     "add one to seed() so the sweep visits it")
            found.append((rule.endpoint, url_for(rule.endpoint,
                                                 **params.get(rule.endpoint, {}))))
    # Opening a sign-in step starts a new sign-in (the session ends): those come last.
    return sorted(found, key=lambda item: item[0] in SIGN_IN_STEPS)


class Sweep:
    def __init__(self, url: str) -> None:
        self.url = url
        self.visits: list[Visit] = []

    def check(self, page: Any, role: str, endpoint: str, path: str, status: int) -> None:
        page.wait_for_load_state("load")
        landed = page.url.removeprefix(self.url)
        screenshot(page, "axe", f"{role}-{endpoint.replace('.', '-')}")
        findings = axe_findings(page)
        visit = Visit(role, endpoint, path, status, landed)
        for finding in findings:
            line = (f"{finding['id']} [{finding['impact']}]: {finding['help']} "
                    f"({len(finding['nodes'])}x, e.g. {finding['nodes'][0]['target']})")
            (visit.serious if finding["impact"] in SERIOUS else visit.other).append(line)
        visit.unnamed = [f"unnamed control {html}" for html in page.evaluate(UNNAMED_CONTROLS)]
        self.visits.append(visit)

    def visit(self, page: Any, role: str, endpoint: str, path: str) -> None:
        response = page.goto(f"{self.url}{path}")
        self.check(page, role, endpoint, path, response.status if response else 0)


def sign_in(page: Any, sweep: Sweep, role: str, email: str, totp: TotpRegistry | None) -> None:
    page.goto(f"{sweep.url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.narrow button[type=submit]")
    if totp is None:
        return
    sweep.check(page, role, "auth.second_factor (signing in)", "/login/code", 200)
    page.fill("input[name=code]", totp.next_code(email))
    with page.expect_navigation():
        page.click("form.narrow button[type=submit]")
    sweep.visit(page, role, "keys.status (locked)", "/key")
    page.fill("input[name=passphrase]", PASSPHRASE)
    with page.expect_navigation():
        page.click("form.narrow button[type=submit]")
    assert "unlocked" in page.inner_text("main")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_page_passes_axe_for_every_role(server: LiveServer, app: Flask, db: Session,
                                              demo_org: OrgFixture, blobs: BlobStore,
                                              totp_registry: TotpRegistry) -> None:
    routes = pages(app, seed(db, demo_org, blobs))
    sweep = Sweep(server.url)
    watch = Watch(server.url)
    with chromium_browser() as browser:
        for role in ROLES:
            page = new_page(browser, watch)
            page.set_default_timeout(90_000)
            if role != "anonymous":
                holds_key = Role(role).holds_key
                sign_in(page, sweep, role, demo_org.email(Role(role)),
                        totp_registry if holds_key else None)
            for endpoint, path in routes:
                sweep.visit(page, role, endpoint, path)
            page.context.close()

    report = "\n".join(visit.line() for visit in sweep.visits)
    (SCREENSHOTS / "axe").mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "axe" / "results.txt").write_text(report + "\n")
    failures = [visit.line() for visit in sweep.visits if visit.serious or visit.unnamed]
    assert failures == [], "\n" + "\n".join(failures)
    # Every route was seen by every role (whatever the answer: a page, a refusal, sign-in).
    assert {(v.role, v.endpoint) for v in sweep.visits} >= {
        (role, endpoint) for role in ROLES for endpoint, _path in routes}
    assert watch.outside_requests == []
