"""``witnessbox org delete``: an organisation and all its sealed material go;
another organisation is untouched; a legal hold refuses the whole deletion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from retention_support import file_worked_case, files_holding, sqlite_files
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import shred_list
from app.audit.service import verify
from app.cases import service as cases
from app.cli import main
from app.config import Settings
from app.models import (
    AuditEvent,
    Case,
    CaseKeyWrap,
    Invitation,
    LegalHoldReason,
    MemberKey,
    Membership,
    Organisation,
    Role,
    User,
)
from app.orgs.service import create_organisation
from app.storage import BlobStore


def _org_rows(db: Session, org_id: int) -> dict[str, int]:
    db.expire_all()
    case_ids = select(Case.id).where(Case.organisation_id == org_id)
    member_ids = select(Membership.id).where(Membership.organisation_id == org_id)
    return {
        "cases": db.scalar(select(func.count()).select_from(Case)
                           .where(Case.organisation_id == org_id)) or 0,
        "wraps": db.scalar(select(func.count()).select_from(CaseKeyWrap)
                           .where(CaseKeyWrap.case_id.in_(case_ids))) or 0,
        "memberships": db.scalar(select(func.count()).select_from(Membership)
                                 .where(Membership.organisation_id == org_id)) or 0,
        "member keys": db.scalar(select(func.count()).select_from(MemberKey)
                                 .where(MemberKey.membership_id.in_(member_ids))) or 0,
        "invitations": db.scalar(select(func.count()).select_from(Invitation)
                                 .where(Invitation.organisation_id == org_id)) or 0,
    }


def test_org_delete_leaves_nothing_of_it_and_the_other_org_untouched(
        app: Flask, db: Session, make_org: Any, blobs: BlobStore, settings: Settings,
        backend: str) -> None:
    alpha, beta = make_org("alpha"), make_org("beta")
    gone = [file_worked_case(db, alpha, blobs, f"A{n}") for n in range(2)]
    kept = file_worked_case(db, beta, blobs, "B0")
    protected = [key.protected_identity for key in db.scalars(
        select(MemberKey).join(Membership).where(
            Membership.organisation_id == alpha.organisation.id))]
    key_file = Path(settings.export_key_dir) / f"org-{alpha.organisation.id}.minisign-key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(b"not a real key")
    bundles = Path(settings.export_dir) / str(alpha.organisation.id)
    bundles.mkdir(parents=True)
    (bundles / "witnessbox-export-EX-1.tar").write_bytes(b"bundle")
    alpha_id, beta_rows = alpha.organisation.id, _org_rows(db, beta.organisation.id)
    runner = app.test_cli_runner()

    db.rollback()  # the command's VACUUM FULL would wait for this session

    wrong = runner.invoke(main, ["org", "delete", "alpha", "--confirm", "alpah"])
    assert wrong.exit_code == 1
    assert "nothing deleted" in wrong.output
    assert _org_rows(db, alpha_id)["cases"] == 2

    db.rollback()  # the command's VACUUM FULL would wait for this session

    done = runner.invoke(main, ["org", "delete", "alpha", "--confirm", "alpha"])
    assert done.exit_code == 0, done.output
    assert "organisation 'alpha' deleted: 2 case(s) crypto-shredded, 3 membership(s)" \
        in done.output
    assert set(_org_rows(db, alpha_id).values()) == {0}
    assert db.get(Organisation, alpha_id) is None
    assert db.scalar(select(func.count()).select_from(User).where(
        User.email.like("%@alpha.test"))) == 0
    assert not key_file.exists()
    assert not bundles.exists()
    assert not (Path(settings.blob_dir) / str(alpha_id)).exists()
    assert not any(blobs.exists(path) for material in gone for path in material.blob_paths)

    # The other organisation: every row and file as before, and its case opens.
    assert _org_rows(db, beta.organisation.id) == beta_rows
    assert all(blobs.exists(path) for path in kept.blob_paths)
    reviewer = db.get(Membership, beta.members[Role.REVIEWER].id)
    assert reviewer is not None
    case = db.scalars(select(Case).where(Case.public_id == kept.public_id)).one()
    key = cases.unlock_case_key(db, reviewer, case, beta.identities[Role.REVIEWER],
                                audit_opening=False)
    assert kept.narrative_canary in cases.read_narrative(case, key)
    db.rollback()

    # Tombstones, the shred list, an intact chain.
    actions = [e.action for e in db.scalars(select(AuditEvent).where(
        AuditEvent.organisation_id == alpha_id).order_by(AuditEvent.seq))]
    assert actions.count("case_shredded") == 2
    assert actions[-1] == "org_deleted"
    assert {e.case for e in shred_list.read(settings.shred_list_file)} == {
        m.public_id for m in gone}
    assert verify(db).ok

    if backend == "sqlite":
        app.extensions["witnessbox.engine"].dispose()
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        needles = [needle for material in gone for needle in material.needles()]
        needles += [(f"member key {n}", blob[len(blob) // 2 - 24:len(blob) // 2 + 24])
                    for n, blob in enumerate(protected)]
        assert files_holding(sqlite_files(database), needles) == []
        assert files_holding([database], kept.stored_needles())  # the scan can find

    # A new organisation never takes the deleted one's id (the audit log names it).
    fresh = create_organisation(db, "gamma", "Gamma NGO").organisation
    db.commit()
    assert fresh.id != alpha_id


def test_org_delete_is_refused_while_a_case_is_on_legal_hold(
        app: Flask, db: Session, make_org: Any, blobs: BlobStore) -> None:
    alpha = make_org("alpha")
    material = file_worked_case(db, alpha, blobs, "H")
    db.scalars(select(Case)).one().legal_hold_reason = LegalHoldReason.LITIGATION
    db.commit()
    db.rollback()  # the command's VACUUM FULL would wait for this session
    result = app.test_cli_runner().invoke(main, ["org", "delete", "alpha", "--confirm",
                                                 "alpha"])
    assert result.exit_code == 1
    assert f"1 case(s) on legal hold ({material.public_id})" in result.output
    assert "Nothing was deleted" in result.output
    assert _org_rows(db, alpha.organisation.id)["cases"] == 1
    assert all(blobs.exists(path) for path in material.blob_paths)
