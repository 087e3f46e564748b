"""Exports end to end: consent, approval, leak check, signatures, evidence packages."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from export_support import approved_case, file_case, redact_and_approve
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_support import OrgFixture

import crypto
from app.config import Settings
from app.errors import PermissionDenied
from app.exports import service
from app.exports.bag import verify_bag
from app.exports.selection import ExportScope
from app.models import AuditEvent, Export, ExportApproval, ExportPurpose, ExportStatus, Role
from app.orgs.service import add_member
from app.storage import BlobStore
from crypto import minisign

NAME = "Kim Chol-su"
NARRATIVE = (f"Our foreman {NAME} took our passports at the site. We worked eighteen "
             "hours a day and the loyalty fee took most of the wage.")
AGE = shutil.which("age")


def _create(db: Session, org: OrgFixture, settings: Settings, purpose: ExportPurpose,
            role: Role = Role.ADMIN, **options: Any) -> Any:
    export = service.create(db, org.members[role], org.identities[role],
                            BlobStore(settings.blob_dir), purpose=purpose,
                            scope=options.pop("scope", ExportScope()),
                            export_dir=Path(settings.export_dir),
                            key_dir=Path(settings.export_key_dir), **options)
    db.commit()
    return export


def _bundle(settings: Settings, export: Any, into: Path) -> Path:
    """Unpack the export's tar; the bag's folder."""
    with tarfile.open(Path(settings.export_dir) / export.bundle_path) as tar:
        tar.extractall(into, filter="data")
    return into / f"witnessbox-export-{export.public_id}"


def _public_key(org: OrgFixture) -> minisign.MinisignPublicKey:
    assert org.organisation.export_public_key
    return minisign.parse_public_key(org.organisation.export_public_key)


def test_only_approved_cases_with_consent_are_included_and_the_rest_are_counted(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings,
        tmp_path: Path) -> None:
    for _ in range(2):
        approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME],
                  consent=["internal_only", "aggregate_stats"])
    file_case(db, demo_org, blobs, narrative=NARRATIVE)  # never redacted
    export = _create(db, demo_org, settings, ExportPurpose.SHARE_UN)

    assert export.status is ExportStatus.READY  # one admin: no second approval by default
    assert export.included_count == 2
    assert export.excluded_counts == {"not_approved": 1, "no_consent": 1}
    bag = _bundle(settings, export, tmp_path)
    report = verify_bag(bag, _public_key(demo_org))
    assert report.ok, report.problems
    assert report.info["Witnessbox-Cases-Included"] == "2"
    assert report.info["Witnessbox-Cases-Excluded-No-Consent"] == "1"
    records = json.loads((bag / "data" / "cases.json").read_text(encoding="utf-8"))
    assert len(records) == 2
    for record in records:
        assert NAME not in record["narrative"]
        assert "eighteen hours a day" in record["narrative"]
        assert set(record) >= {"reference", "sector", "indicators", "birth_band"}
    everything = "".join(path.read_text(errors="replace") for path in bag.rglob("*.*sv"))
    assert NAME.lower() not in everything.lower()


def test_aggregate_statistics_carry_no_narrative_and_suppress_small_counts(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings,
        tmp_path: Path) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME],
                  indicators={"deception": "yes"})
    export = _create(db, demo_org, settings, ExportPurpose.AGGREGATE_STATS)
    bag = _bundle(settings, export, tmp_path)
    data = bag / "data"
    assert sorted(p.name for p in data.iterdir()) == [
        "report.pdf", "statistics.csv", "suppression-log.csv"]
    statistics = (data / "statistics.csv").read_text(encoding="utf-8")
    # One case: every cell is under 5, so every cell is suppressed except the
    # grand total, which the bundle states anyway (published rounded: 0).
    rows = [line.split(",") for line in statistics.splitlines()[1:]]
    published = [row for row in rows if row[-1] != "suppressed"]
    assert rows
    assert {(row[1], row[2]) for row in published} == {("Total", "Total")}
    assert {row[3] for row in published} == {"0"}
    assert "primary" in (data / "suppression-log.csv").read_text(encoding="utf-8")


def test_a_masked_name_left_in_another_narrative_refuses_the_export_naming_case_and_category(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    # A second case whose reviewer did not mask the same man's name.
    approved_case(db, demo_org, blobs, narrative=f"Later {NAME.upper()} beat a worker.",
                  masks=["worker"])
    export = _create(db, demo_org, settings, ExportPurpose.SHARE_UN)

    assert export.status is ExportStatus.REFUSED
    assert export.refusal is not None
    assert "C00001" in export.refusal
    assert "PERSON" in export.refusal
    assert "kim" not in export.refusal.lower()
    assert export.bundle_path is None
    assert list(Path(settings.export_dir).rglob("*")) == [
        p for p in Path(settings.export_dir).rglob("*") if p.is_dir()]  # nothing kept
    event = db.scalars(select(AuditEvent).where(AuditEvent.target == export.public_id)).one()
    assert event.details["event"] == "refused"


def test_a_leak_in_a_quote_refuses_an_anonymised_quotes_export(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    approved_case(db, demo_org, blobs, narrative=f"{NAME} kept the passports.",
                  masks=["passports"])
    export = _create(db, demo_org, settings, ExportPurpose.ANONYMISED_QUOTES)
    assert export.status is ExportStatus.REFUSED
    assert "report.pdf" in (export.refusal or "") or "cases" in (export.refusal or "")


def test_changing_one_byte_of_the_bundle_fails_our_verifier_and_the_stock_tools(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings,
        tmp_path: Path, minisign_bin: str) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    export = _create(db, demo_org, settings, ExportPurpose.SHARE_UN)
    bag = _bundle(settings, export, tmp_path)

    def stock_tools_accept() -> bool:
        steps = [[minisign_bin, "-Vqm", "tagmanifest-sha256.txt", "-p", "export-key.pub"],
                 ["sha256sum", "--quiet", "-c", "tagmanifest-sha256.txt"],
                 ["sha256sum", "--quiet", "-c", "manifest-sha256.txt"]]
        return all(subprocess.run(step, cwd=bag, capture_output=True, check=False)
                   .returncode == 0 for step in steps)

    assert stock_tools_accept()
    target = bag / "data" / "cases.json"
    content = bytearray(target.read_bytes())
    content[len(content) // 2] ^= 0x01
    target.write_bytes(bytes(content))
    assert not stock_tools_accept()
    assert not verify_bag(bag, _public_key(demo_org)).ok


def _second_admin(db: Session, org: OrgFixture) -> Any:
    from web_support import PASSWORD
    second = add_member(db, org.organisation, "second.admin@alpha.test", PASSWORD, Role.ADMIN,
                        must_change_password=False)
    db.commit()
    return second


def test_with_two_admins_a_second_admin_must_approve_before_download(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    second = _second_admin(db, demo_org)
    admin = demo_org.members[Role.ADMIN]
    export = _create(db, demo_org, settings, ExportPurpose.SHARE_UN)
    assert export.status is ExportStatus.AWAITING_APPROVAL
    export_dir = Path(settings.export_dir)
    with pytest.raises(service.Refused, match="approval"):
        service.open_bundle(db, admin, export, export_dir)
    with pytest.raises(service.Refused, match="second admin"):
        service.approve(db, admin, export)
    service.approve(db, second, export)
    assert service.open_bundle(db, admin, export, export_dir).is_file()
    db.commit()
    events = [e.details["event"] for e in db.scalars(select(AuditEvent).where(
        AuditEvent.target == export.public_id).order_by(AuditEvent.id))]
    assert events == ["built", "approved", "downloaded"]


def test_the_setting_can_require_approval_even_with_one_admin(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    service.set_approval_rule(db, demo_org.members[Role.ADMIN], ExportApproval.ALWAYS)
    export = _create(db, demo_org, settings, ExportPurpose.AGGREGATE_STATS)
    assert export.status is ExportStatus.AWAITING_APPROVAL


def test_only_admins_export(db: Session, demo_org: OrgFixture, blobs: BlobStore,
                            settings: Settings) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    with pytest.raises(PermissionDenied):
        _create(db, demo_org, settings, ExportPurpose.AGGREGATE_STATS, role=Role.REVIEWER)


def test_a_swapped_signing_key_file_is_refused(db: Session, demo_org: OrgFixture,
                                               blobs: BlobStore, settings: Settings) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    _create(db, demo_org, settings, ExportPurpose.AGGREGATE_STATS)
    key_file = next(Path(settings.export_key_dir).iterdir())
    key_file.write_bytes(minisign.MinisignSecretKey.generate().to_bytes())
    with pytest.raises(service.Refused, match="does not match"):
        _create(db, demo_org, settings, ExportPurpose.AGGREGATE_STATS)


@pytest.mark.skipif(AGE is None, reason="the age command-line tool is not installed")
def test_the_evidence_package_opens_only_with_the_prosecutors_identity(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings,
        tmp_path: Path) -> None:
    case = approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    _second_admin(db, demo_org)
    prosecutor = crypto.generate_identity()
    export = _create(db, demo_org, settings, ExportPurpose.SHARE_PROSECUTORS,
                     prosecutor=prosecutor.recipient)
    assert export.status is ExportStatus.AWAITING_APPROVAL  # four eyes, always
    bag = _bundle(settings, export, tmp_path / "out")
    folder = bag / "data" / "evidence" / case.public_id
    receipt = json.loads((folder / "receipt.json").read_text())
    narrative = next(o for o in receipt["objects"] if o["kind"] == "narrative")
    assert subprocess.run(["sha256sum", folder / narrative["file"]], capture_output=True,
                          text=True, check=True).stdout.split()[0] == narrative["sha256"]

    key_file = tmp_path / "prosecutor.key"
    key_file.write_bytes(prosecutor.to_age_identity_file())
    case_key = subprocess.run([AGE, "-d", "-i", key_file, folder / "case-key.age"],
                              capture_output=True, check=True).stdout
    case_key_file = tmp_path / "case.key"
    case_key_file.write_bytes(case_key)
    opened = subprocess.run([AGE, "-d", "-i", case_key_file, folder / narrative["file"]],
                            capture_output=True, check=True).stdout.decode()
    assert opened == NARRATIVE  # the original, unredacted, only for the prosecutor

    admin_key = tmp_path / "admin.key"
    admin_key.write_bytes(demo_org.identities[Role.ADMIN].to_age_identity_file())
    refused = subprocess.run([AGE, "-d", "-i", admin_key, folder / "case-key.age"],
                             capture_output=True, check=False)
    assert refused.returncode != 0
    custody = (folder / "custody-log.csv").read_text()
    assert "intake" in custody
    assert "approval" in custody
    log = (folder / "redaction-log.csv").read_text()
    assert "PERSON: 1" in log
    assert NAME not in log
    packaged = db.scalars(select(AuditEvent).where(AuditEvent.target == case.public_id)
                          .order_by(AuditEvent.id.desc())).first()
    assert packaged is not None
    assert packaged.details["event"] == "evidence_packaged"


@pytest.mark.skipif(AGE is None, reason="the age command-line tool is not installed")
def test_a_bundle_encrypted_to_a_recipient_opens_with_age_and_verifies(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings,
        tmp_path: Path) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    recipient = crypto.generate_identity()
    export = _create(db, demo_org, settings, ExportPurpose.AGGREGATE_STATS,
                     encrypt_to=recipient.recipient)
    sealed = Path(settings.export_dir) / export.bundle_path
    assert sealed.name.endswith(".tar.age")
    assert not tarfile.is_tarfile(sealed)
    key_file = tmp_path / "recipient.key"
    key_file.write_bytes(recipient.to_age_identity_file())
    tar_path = tmp_path / "bundle.tar"
    subprocess.run([AGE, "-d", "-i", key_file, "-o", tar_path, sealed], check=True)
    assert verify_bag(tar_path, _public_key(demo_org)).ok


def test_download_over_http_is_an_attachment_after_approval(
        app: Flask, db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings,
        admin_web: Any) -> None:
    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    export = _create(db, demo_org, settings, ExportPurpose.AGGREGATE_STATS)
    page = admin_web.client.get(f"/exports/{export.public_id}")
    assert page.status_code == 200
    assert "minisign -Vm tagmanifest-sha256.txt" in page.get_data(as_text=True)
    response = admin_web.client.post(f"/exports/{export.public_id}/download", data={
        "csrf_token": admin_web.csrf_token(f"/exports/{export.public_id}")})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == (Path(settings.export_dir) / export.bundle_path).read_bytes()
    response.close()


def test_unapproved_redaction_is_left_out(db: Session, demo_org: OrgFixture, blobs: BlobStore,
                                          settings: Settings) -> None:
    case = file_case(db, demo_org, blobs, narrative=NARRATIVE)
    redact_and_approve(db, demo_org, case, [NAME], approve=False)  # awaiting approval
    export = _create(db, demo_org, settings, ExportPurpose.AGGREGATE_STATS)
    assert export.included_count == 0
    assert export.excluded_counts == {"not_approved": 1}


def test_the_web_page_builds_in_the_background_and_shows_progress_until_ready(
        db: Session, demo_org: OrgFixture, blobs: BlobStore, settings: Settings,
        make_app: Any, totp_registry: Any) -> None:
    from review_fixtures import signed_in

    from app.jobs import jobs

    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    app = make_app(background_jobs=True)
    admin = signed_in(app, totp_registry, demo_org.email(Role.ADMIN))
    response = admin.client.post("/exports", data={
        "purpose": "aggregate_stats", "csrf_token": admin.csrf_token("/exports")})
    assert response.status_code == 302
    jobs(app)._pool.shutdown(wait=True)  # type: ignore[union-attr]
    db.expire_all()
    export = db.scalars(select(Export)).one()
    assert export.status is ExportStatus.READY
    assert export.progress == export.included_count == 1
    page = admin.client.get(f"/exports/{export.public_id}").get_data(as_text=True)
    assert "Download the bundle" in page
    assert 'http-equiv="refresh"' not in page


def test_a_build_whose_progress_stopped_is_shown_as_failed(
        db: Session, demo_org: OrgFixture) -> None:
    admin = demo_org.members[Role.ADMIN]
    export = Export(public_id="EX-STALE", organisation_id=demo_org.organisation.id,
                    created_by_membership_id=admin.id, purpose=ExportPurpose.AGGREGATE_STATS,
                    scope={}, status=ExportStatus.BUILDING, needs_approval=False,
                    excluded_counts={},
                    progress_at=datetime.now(UTC) - service.STALE_AFTER - timedelta(minutes=1))
    db.add(export)
    db.commit()
    assert service.get_export(db, admin, "EX-STALE").status is ExportStatus.FAILED
    assert "worker process ended" in (export.refusal or "")


def test_a_build_that_breaks_is_recorded_as_failed_and_keeps_nothing(
        app: Flask, db: Session, demo_org: OrgFixture, blobs: BlobStore,
        settings: Settings) -> None:
    from app.exports.jobs import run_build

    approved_case(db, demo_org, blobs, narrative=NARRATIVE, masks=[NAME])
    admin = demo_org.members[Role.ADMIN]
    export = service.start(db, admin, purpose=ExportPurpose.SHARE_UN, scope=ExportScope(),
                           key_dir=Path(settings.export_key_dir))
    db.commit()
    with app.app_context():
        run_build(export.id, crypto.generate_identity())  # not the admin's key: cannot open
    db.expire_all()
    failed = db.get(Export, export.id)
    assert failed is not None
    assert failed.status is ExportStatus.FAILED
    assert "CryptoError" in (failed.refusal or "") or "NoKeyAccess" in (failed.refusal or "")
    assert [p for p in Path(settings.export_dir).rglob("*") if p.is_file()] == []
